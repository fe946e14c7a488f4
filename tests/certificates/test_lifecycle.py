"""Statuses after issue: revoked, superseded, recertification due, expired; every change recorded,
and nothing else about a certificate ever changes."""

import datetime

import pytest

from django.forms.models import model_to_dict
from django.utils import timezone

from certificates.models import Certificate, CertificateEvent
from certificates.services import (
    CertificateError,
    certificate_issue_base_competence,
    certificate_revoke,
    certificates_mark_recertification_due,
)
from lms.models import AuditEvent
from tests.factories import (
    PolicyClauseFactory,
    facts_refresh,
    module_certificate_for,
    module_page_create,
    quiz_for,
)

STATUS_FIELDS = {"status", "superseded_by"}


def _frozen(certificate):
    """Everything about a certificate that must never change after issue."""
    fields = model_to_dict(Certificate.objects.get(pk=certificate.pk), exclude=STATUS_FIELDS)
    fields["clauses"] = sorted(clause.pk for clause in fields["clauses"])
    fields["based_on"] = sorted(other.pk for other in fields["based_on"])
    fields["pdf"] = str(fields["pdf"])
    return fields


@pytest.fixture
def held(people, quiz, second_quiz, fast_pdf):
    staff = people["staff"]
    first = module_certificate_for(person=staff, quiz=quiz)
    second = module_certificate_for(person=staff, quiz=second_quiz)
    base = certificate_issue_base_competence(person=staff)
    return {"first": first, "second": second, "base": base}


@pytest.mark.django_db
def test_an_auditor_revokes_with_a_reason_and_dependent_base_certificates_fall_too(held, people):
    auditor = people["auditor"].user
    revoked = certificate_revoke(
        certificate=held["first"],
        by=auditor,
        reason="  Sat by a colleague  ",
        category="not_holders_own",
    )

    assert revoked.status == Certificate.Status.REVOKED
    event = revoked.events.get(to_status="revoked")
    assert (event.from_status, event.actor, event.actor_name, event.reason) == (
        "valid",
        auditor,
        "Ada Auditor",
        "Sat by a colleague",
    )
    held["base"].refresh_from_db()
    held["second"].refresh_from_db()
    assert held["base"].status == Certificate.Status.REVOKED
    assert held["first"].serial in held["base"].events.get(to_status="revoked").reason
    assert held["second"].status == Certificate.Status.VALID
    logged = AuditEvent.objects.filter(action="certificate.revoke", actor_name="Ada Auditor")
    assert set(logged.values_list("target_id", flat=True)) == {
        str(held["first"].pk),
        str(held["base"].pk),
    }


@pytest.mark.django_db
def test_revoking_needs_a_reason_and_cannot_happen_twice(held, people):
    auditor = people["auditor"].user
    with pytest.raises(CertificateError, match="Enter why"):
        certificate_revoke(certificate=held["first"], by=auditor, reason="   ", category="other")
    assert Certificate.objects.get(pk=held["first"].pk).status == Certificate.Status.VALID
    certificate_revoke(
        certificate=held["first"], by=auditor, reason="Fraud", category="not_holders_own"
    )
    with pytest.raises(CertificateError, match="already been revoked"):
        certificate_revoke(certificate=held["first"], by=auditor, reason="Again", category="other")
    assert held["first"].events.filter(to_status="revoked").count() == 1


@pytest.mark.django_db
def test_a_replaced_clause_makes_the_certificates_resting_on_it_recertification_due(
    held, people, quiz, clause, fast_pdf
):
    other_person = module_certificate_for(person=people["other_staff"], quiz=quiz)
    unrelated_clause = PolicyClauseFactory(reference="9.9")
    unrelated_module = module_page_create(
        clause=unrelated_clause, title="Unrelated", slug="unrelated"
    )
    unrelated = module_certificate_for(
        person=people["staff"], quiz=quiz_for(module=unrelated_module, clause=unrelated_clause)
    )
    expired = module_certificate_for(person=people["lead"], quiz=quiz)
    Certificate.objects.filter(pk=expired.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )  # time passes
    facts_refresh(person=expired.person, module=expired.module)

    marked = certificates_mark_recertification_due(replaced_clause=clause)

    assert {certificate.pk for certificate in marked} == {held["first"].pk, other_person.pk}
    assert all(
        certificate.module_id == quiz.module_id for certificate in marked
    )  # what to assign again
    statuses = dict(Certificate.objects.values_list("pk", "status"))
    assert (
        statuses[held["first"].pk]
        == statuses[other_person.pk]
        == statuses[held["base"].pk]
        == "recertification_due"
    )
    assert statuses[held["second"].pk] == statuses[unrelated.pk] == statuses[expired.pk] == "valid"
    event = held["base"].events.get(to_status="recertification_due")
    assert event.actor is None and event.actor_name == "System"
    assert f"clause {clause.reference} (version {clause.version}) was replaced" in event.reason


@pytest.mark.django_db
def test_marking_twice_changes_nothing_more(held, clause):
    certificates_mark_recertification_due(replaced_clause=clause)
    assert certificates_mark_recertification_due(replaced_clause=clause) == []
    assert (
        CertificateEvent.objects.filter(to_status="recertification_due").count() == 2
    )  # module + base


@pytest.mark.django_db
def test_passing_again_after_recertification_due_supersedes_and_restores_base_competence(
    held, people, quiz, clause
):
    certificates_mark_recertification_due(replaced_clause=clause)
    renewed = module_certificate_for(person=people["staff"], quiz=quiz)
    new_base = certificate_issue_base_competence(person=people["staff"])

    held["first"].refresh_from_db()
    held["base"].refresh_from_db()
    assert held["first"].status == "superseded" and held["first"].superseded_by == renewed
    assert held["base"].status == "superseded" and held["base"].superseded_by == new_base
    assert new_base.is_currently_valid
    assert [event.to_status for event in held["first"].events.all()] == [
        "valid",
        "recertification_due",
        "superseded",
    ]


@pytest.mark.django_db
def test_expiry_is_derived_from_the_date_and_needs_no_change(held):
    certificate = held["first"]
    assert certificate.display_status == "Valid" and certificate.is_currently_valid
    certificate.expires_on = timezone.localdate() - datetime.timedelta(days=1)
    assert certificate.display_status == "Expired" and not certificate.is_currently_valid
    certificate.status = Certificate.Status.REVOKED
    assert certificate.display_status == "Revoked"


@pytest.mark.django_db
def test_status_changes_never_touch_anything_else(held, people, quiz, clause):
    before = {name: _frozen(certificate) for name, certificate in held.items()}

    certificates_mark_recertification_due(replaced_clause=clause)
    module_certificate_for(person=people["staff"], quiz=quiz)  # supersedes "first"
    certificate_issue_base_competence(person=people["staff"])  # supersedes "base"
    certificate_revoke(
        certificate=held["second"],
        by=people["auditor"].user,
        reason="Checked: not their work",
        category="not_holders_own",
    )

    after = {name: _frozen(certificate) for name, certificate in held.items()}
    assert after == before
    assert {Certificate.objects.get(pk=certificate.pk).status for certificate in held.values()} == {
        "superseded",
        "revoked",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("category", ["", "rests_on_revoked", "nonsense"])
def test_a_revocation_without_a_kind_of_reason_an_auditor_may_choose_is_refused(
    held, people, category
):
    with pytest.raises(CertificateError, match="Choose which kind of reason"):
        certificate_revoke(
            certificate=held["first"], by=people["auditor"].user, reason="Why", category=category
        )
    assert Certificate.objects.get(pk=held["first"].pk).status == "valid"
    assert not held["first"].events.filter(to_status="revoked").exists()


@pytest.mark.django_db
def test_the_certificates_resting_on_a_revoked_one_fall_in_the_order_of_their_ids(
    held, people, second_quiz
):
    """They are locked and changed in the order of their ids, as every write that changes several
    certificates takes them, so that two revocations sharing them cannot each hold one the other
    waits for. By the default order (newest issue first) the newer would be taken first."""
    staff = people["staff"]
    module_certificate_for(person=staff, quiz=second_quiz)
    newer_base = certificate_issue_base_competence(person=staff)
    older_base = held["base"]
    older_base.refresh_from_db()
    assert older_base.status == Certificate.Status.SUPERSEDED
    assert older_base.pk < newer_base.pk

    certificate_revoke(
        certificate=held["first"],
        by=people["auditor"].user,
        reason="Sat by a colleague",
        category="not_holders_own",
    )

    fallen = CertificateEvent.objects.filter(
        to_status=Certificate.Status.REVOKED, certificate__in=[older_base, newer_base]
    ).order_by("pk")
    assert [event.certificate_id for event in fallen] == [older_base.pk, newer_base.pk]
