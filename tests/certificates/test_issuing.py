"""Issuing rules: module and base-competence certificates, expiry, supersede, idempotency."""

import datetime
import threading

import pytest

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from certificates import services
from certificates.expiry import expiry_date
from certificates.models import Certificate, CertificateEvent
from certificates.services import (
    CertificateError,
    certificate_issue_base_competence,
    certificate_issue_for_attempt,
)
from certificates.tasks import certificate_issue_task
from tests.factories import attempt_failed, attempt_passed, facts_refresh, module_certificate_for


def _add_months(day, months):
    return expiry_date(issued_on=day, validity_months=months)


@pytest.mark.django_db
def test_a_pass_earns_a_module_certificate_with_its_scope_and_expiry(
    people, quiz, module, clause, fast_pdf
):
    module.validity_months = 24
    module.save_revision().publish()
    attempt = attempt_passed(person=people["staff"], quiz=quiz)

    certificate = certificate_issue_for_attempt(attempt_id=attempt.pk)

    assert certificate.kind == Certificate.Kind.MODULE
    assert certificate.holder_name == "Sam Staff"
    assert certificate.title == module.title
    assert certificate.score == attempt.percent and certificate.pass_mark == quiz.pass_mark
    assert certificate.expires_on == _add_months(timezone.localdate(certificate.issued_at), 24)
    assert certificate.scope["policies"] == [
        {
            "organisation": clause.document.organisation,
            "title": clause.document.title,
            "version": clause.document.version,
        }
    ]
    assert list(certificate.clauses.all()) == [clause]
    assert certificate.serial == f"{certificate.issued_at:%Y}-{certificate.pk:06d}"
    assert certificate.pdf.name and certificate.sha256
    issued = CertificateEvent.objects.get(certificate=certificate)
    assert (issued.from_status, issued.to_status, issued.actor_name) == ("", "valid", "System")


def test_months_are_added_without_running_off_the_end_of_a_month():
    assert _add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert _add_months(datetime.date(2026, 11, 15), 14) == datetime.date(2028, 1, 15)


@pytest.mark.django_db
def test_a_failed_attempt_earns_nothing(people, quiz, fast_pdf):
    attempt = attempt_failed(person=people["staff"], quiz=quiz)
    with pytest.raises(CertificateError):
        certificate_issue_for_attempt(attempt_id=attempt.pk)
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_base_competence_waits_for_every_base_module_then_expires_with_the_earliest(
    people, quiz, second_quiz, fast_pdf
):
    staff = people["staff"]
    first = module_certificate_for(person=staff, quiz=quiz)
    assert certificate_issue_base_competence(person=staff) is None

    second_quiz.module.validity_months = 6
    second_quiz.module.save_revision().publish()
    second = module_certificate_for(person=staff, quiz=second_quiz)
    base = certificate_issue_base_competence(person=staff)

    assert base.kind == Certificate.Kind.BASE_COMPETENCE
    assert base.title == "Base competence in social media"
    assert base.expires_on == min(first.expires_on, second.expires_on) == second.expires_on
    assert set(base.based_on.all()) == {first, second}
    assert [module["certificate"] for module in base.scope["modules"]] == [
        first.serial,
        second.serial,
    ]
    assert {policy["title"] for policy in base.scope["policies"]} == {
        first.scope["policies"][0]["title"],
        "Information sharing policy",
    }
    assert base.score is None and base.attempt is None


@pytest.mark.django_db
def test_modules_outside_base_competence_and_unpublished_ones_do_not_count(
    people, quiz, second_quiz, fast_pdf
):
    second_quiz.module.base_competence = False
    second_quiz.module.save_revision().publish()
    assert certificate_issue_base_competence(person=people["staff"]) is None  # nothing passed yet

    module_certificate_for(person=people["staff"], quiz=quiz)
    base = certificate_issue_base_competence(person=people["staff"])
    assert [module["title"] for module in base.scope["modules"]] == [quiz.module.title]


@pytest.mark.django_db
def test_an_expired_or_revoked_pass_does_not_count_towards_base_competence(
    people, quiz, second_quiz, fast_pdf
):
    staff, auditor = people["staff"], people["auditor"]
    first = module_certificate_for(person=staff, quiz=quiz)
    second = module_certificate_for(person=staff, quiz=second_quiz)
    Certificate.objects.filter(pk=first.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )  # time passes
    facts_refresh(person=staff, module=first.module)
    assert certificate_issue_base_competence(person=staff) is None
    Certificate.objects.filter(pk=first.pk).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    facts_refresh(person=staff, module=first.module)
    services.certificate_revoke(
        certificate=second,
        by=auditor.user,
        reason="Sat by someone else",
        category="not_holders_own",
    )
    assert certificate_issue_base_competence(person=staff) is None


@pytest.mark.django_db
def test_passing_again_supersedes_the_old_certificate_which_says_which_replaced_it(
    people, quiz, second_quiz, fast_pdf
):
    staff = people["staff"]
    old = module_certificate_for(person=staff, quiz=quiz)
    module_certificate_for(person=staff, quiz=second_quiz)
    old_base = certificate_issue_base_competence(person=staff)

    new = module_certificate_for(person=staff, quiz=quiz)
    new_base = certificate_issue_base_competence(person=staff)

    old.refresh_from_db()
    old_base.refresh_from_db()
    assert old.status == Certificate.Status.SUPERSEDED and old.superseded_by == new
    assert new.status == Certificate.Status.VALID
    assert new_base != old_base and old_base.superseded_by == new_base
    event = old.events.get(to_status="superseded")
    assert event.from_status == "valid" and new.serial in event.reason


@pytest.mark.django_db
def test_another_persons_passes_do_not_touch_my_certificates(people, quiz, fast_pdf):
    mine = module_certificate_for(person=people["staff"], quiz=quiz)
    module_certificate_for(person=people["other_staff"], quiz=quiz)
    mine.refresh_from_db()
    assert mine.status == Certificate.Status.VALID


# Idempotency -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_running_the_task_twice_issues_each_certificate_once(people, quiz, fast_pdf):
    attempt = attempt_passed(person=people["staff"], quiz=quiz)
    first = certificate_issue_task.call(attempt_id=attempt.pk)
    second = certificate_issue_task.call(attempt_id=attempt.pk)
    assert first == second
    assert Certificate.objects.filter(kind="module").count() == 1
    assert Certificate.objects.filter(kind="base_competence").count() == 1  # the only base module
    assert len(fast_pdf) == 2  # rendered once each, never again on retry


@pytest.mark.django_db
def test_a_crash_mid_render_leaves_nothing_and_a_retry_issues_once(
    people, quiz, monkeypatch, fast_pdf
):
    attempt = attempt_passed(person=people["staff"], quiz=quiz)
    storage = Certificate._meta.get_field("pdf").storage
    real_render = services.certificate_pdf_render

    def crash(*, certificate):
        real_render(certificate=certificate)
        raise MemoryError("the worker died while rendering")

    monkeypatch.setattr(services, "certificate_pdf_render", crash)
    with pytest.raises(MemoryError):
        certificate_issue_task.call(attempt_id=attempt.pk)
    assert not Certificate.objects.exists()
    assert not CertificateEvent.objects.exists()

    monkeypatch.setattr(services, "certificate_pdf_render", real_render)
    certificate_issue_task.call(attempt_id=attempt.pk)
    certificate_issue_task.call(attempt_id=attempt.pk)
    certificate = Certificate.objects.get(kind="module")
    assert storage.exists(certificate.pdf.name)
    assert Certificate.objects.count() == 2


@pytest.mark.django_db
def test_a_crash_after_storing_the_pdf_removes_the_stored_file(people, quiz, monkeypatch, fast_pdf):
    attempt = attempt_passed(person=people["staff"], quiz=quiz)
    storage = Certificate._meta.get_field("pdf").storage
    stored = []
    real_save = storage.save

    def save_then_remember(name, content, max_length=None):
        stored.append(real_save(name, content, max_length=max_length))
        return stored[-1]

    def fail_event(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(storage, "save", save_then_remember)
    monkeypatch.setattr(services.CertificateEvent.objects, "create", fail_event)
    with pytest.raises(RuntimeError):
        certificate_issue_for_attempt(attempt_id=attempt.pk)
    assert stored and not storage.exists(stored[0])
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_a_second_certificate_for_one_attempt_or_one_basis(
    people, quiz, fast_pdf
):
    certificate = module_certificate_for(person=people["staff"], quiz=quiz)
    base = certificate_issue_base_competence(person=people["staff"])
    common = {
        "person": certificate.person,
        "holder_name": "x",
        "title": "x",
        "scope": {},
        "expires_on": certificate.expires_on,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            serial="twin-1",
            kind="module",
            module=certificate.module,
            attempt=certificate.attempt,
            **common,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            serial="twin-2", kind="base_competence", basis_key=base.basis_key, **common
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            serial="twin-3", kind="base_competence", **common
        )  # no basis at all


# Concurrency (PostgreSQL only: SQLite serialises writers and cannot show a race) ----------------


def _in_threads(target, arguments):
    errors = []

    def run(argument):
        try:
            target(argument)
        except Exception as error:  # noqa: BLE001 - surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_gives_unique_serials_and_one_certificate_per_pass(
    people, quiz, second_quiz, fast_pdf
):
    learners = [
        people[name]
        for name in ("staff", "lead", "deep", "other_staff", "manager", "other_manager")
    ]
    attempts = [attempt_passed(person=person, quiz=quiz) for person in learners]
    for person in learners:
        module_certificate_for(person=person, quiz=second_quiz)

    # Every attempt issued twice at once: six different passes racing, and each one against a twin.
    errors = _in_threads(
        lambda attempt_id: certificate_issue_task.call(attempt_id=attempt_id),
        [attempt.pk for attempt in attempts] * 2,
    )

    assert errors == []
    module_certificates = Certificate.objects.filter(kind="module", module=quiz.module)
    assert module_certificates.count() == len(attempts)
    assert Certificate.objects.filter(kind="base_competence").count() == len(learners)
    serials = list(Certificate.objects.values_list("serial", flat=True))
    assert len(serials) == len(set(serials)) == 3 * len(learners)
    assert not any(serial.startswith("pending") for serial in serials)


@pytest.mark.django_db
def test_a_name_the_certificate_fonts_cannot_draw_fails_clearly_and_leaves_nothing(
    people, quiz, monkeypatch
):
    """The real render (no stand-in): PDF/A may not draw a character without a glyph, so a name
    in a script the bundled DejaVu lacks stops the issue with a message naming the character,
    and no certificate, event or stored file is left behind for a retry to trip over."""
    person = people["staff"]
    person.user.first_name, person.user.last_name = "小明", "王"
    person.user.save()
    attempt = attempt_passed(person=person, quiz=quiz)
    storage = Certificate._meta.get_field("pdf").storage
    stored = []
    real_save = storage.save
    monkeypatch.setattr(
        storage, "save", lambda *args, **kwargs: stored.append(real_save(*args, **kwargs))
    )
    with pytest.raises(services.CertificateError, match=r"“[小明王 ]+” cannot be drawn"):
        certificate_issue_task.call(attempt_id=attempt.pk)
    assert not Certificate.objects.exists()
    assert not CertificateEvent.objects.exists()
    assert stored == []
