"""The stored facts the dashboard and reports read (``tracking.facts``) follow every write that
changes them, through the services' hand-off, in the write's own transaction; a rebuild works
out the same rows; and a disagreement is found and reported. (tests/conftest.py also checks,
after every test, that the stored facts say what the records say.)"""

import datetime

import pytest

from django.core.management import CommandError, call_command
from django.utils import timezone

from certificates.models import Certificate, RevocationReason
from certificates.services import (
    certificate_issue_for_attempt,
    certificate_revoke,
    certificates_mark_recertification_due,
)
from modules.models import ModulePage
from modules.services import module_progress_start
from quizzes.models import Quiz
from quizzes.services import attempt_close_overdue, attempt_submit
from tests.factories import (
    answers_all,
    attempt_begin,
    attempt_make,
    certificate_make,
    facts_refreshed_once,
    module_page_create,
    progress_make,
)
from tests.tracking.line_maker import line_make, line_modules
from tracking.facts import (
    FACT_COLUMNS,
    module_status_facts_differences,
    module_status_facts_rebuild,
    module_status_facts_refresh,
)
from tracking.models import ModuleStatusFacts

pytestmark = pytest.mark.django_db


def _facts(person, module):
    row = ModuleStatusFacts.objects.filter(person=person, module=module).first()
    if row is None:
        return None
    return {
        "certificate_status": row.certificate_status,
        "expires_on": row.expires_on,
        "revoked": row.revoked_at is not None,
        "attempts": row.attempts,
        "passed_pending": row.passed_pending,
        "started": row.started,
    }


NOTHING_YET = {
    "certificate_status": None,
    "expires_on": None,
    "revoked": False,
    "attempts": 0,
    "passed_pending": 0,
    "started": False,
}


def test_each_write_a_learner_makes_is_in_their_facts_at_once(quiz, people):
    staff = people["staff"]
    module = quiz.module
    assert _facts(staff, module) is None

    module_progress_start(person=staff, module=module)
    assert _facts(staff, module) == NOTHING_YET | {"started": True}

    failed = attempt_begin(person=staff, quiz=quiz)
    attempt_submit(attempt=failed, answers=answers_all(failed, right=False))
    assert _facts(staff, module) == NOTHING_YET | {"started": True, "attempts": 1}

    passed = attempt_begin(person=staff, quiz=quiz)
    attempt_submit(attempt=passed, answers=answers_all(passed))
    # Passed, its certificate not issued yet: "passed" already, by passed_pending.
    assert _facts(staff, module)["attempts"] == 2
    assert _facts(staff, module)["passed_pending"] == 1

    certificate = certificate_issue_for_attempt(attempt_id=passed.pk)
    facts = _facts(staff, module)
    assert facts["certificate_status"] == Certificate.Status.VALID
    assert facts["expires_on"] == certificate.expires_on
    assert facts["passed_pending"] == 0

    certificate_revoke(
        certificate=certificate,
        by=people["auditor"].user,
        reason="Sat by someone else",
        category=RevocationReason.ISSUED_IN_ERROR,
    )
    facts = _facts(staff, module)
    assert facts["certificate_status"] is None
    assert facts["revoked"] is True

    # A submission after the revocation: the revocation no longer decides the status.
    again = attempt_begin(person=staff, quiz=quiz)
    attempt_submit(attempt=again, answers=answers_all(again, right=False))
    facts = _facts(staff, module)
    assert facts["revoked"] is False
    assert facts["attempts"] == 3


def test_a_certificate_sent_for_recertification_is_in_its_holders_facts(quiz, people, clause):
    staff = people["staff"]
    attempt = attempt_begin(person=staff, quiz=quiz)
    attempt_submit(attempt=attempt, answers=answers_all(attempt))
    certificate_issue_for_attempt(attempt_id=attempt.pk)

    marked = certificates_mark_recertification_due(replaced_clause=clause)

    assert [certificate.person for certificate in marked] == [staff]
    assert _facts(staff, quiz.module)["certificate_status"] == (
        Certificate.Status.RECERTIFICATION_DUE
    )


def test_an_attempt_closed_when_its_time_ran_out_counts_as_submitted(quiz, people):
    quiz.time_limit_minutes = 10
    quiz.save()
    staff = people["staff"]
    attempt = attempt_begin(person=staff, quiz=quiz)

    attempt_close_overdue(attempt=attempt, now=timezone.now() + datetime.timedelta(hours=1))

    assert _facts(staff, quiz.module)["attempts"] == 1


def test_a_failing_refresh_undoes_the_write_it_follows(quiz, people, monkeypatch):
    staff = people["staff"]
    attempt = attempt_begin(person=staff, quiz=quiz)
    before = _facts(staff, quiz.module)
    assert before == NOTHING_YET | {"started": True}

    def refresh_fails(**_ids):
        raise RuntimeError("the facts could not be written")

    monkeypatch.setattr("tracking.handoffs.module_status_facts_refresh", refresh_fails)
    with pytest.raises(RuntimeError):
        attempt_submit(attempt=attempt, answers=answers_all(attempt))

    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert _facts(staff, quiz.module) == before


def test_a_rebuild_works_out_the_rows_the_writes_kept(people, clause, wagtail_root):
    today = timezone.localdate()
    modules = line_modules(clause=clause, today=today)
    line_make(manager=people["manager"], modules=modules, seed=5, size=40, today=today)
    kept = set(ModuleStatusFacts.objects.values_list(*FACT_COLUMNS))
    assert len(kept) > 40  # every kind of fact, for most of the line

    ModuleStatusFacts.objects.all().delete()
    rows = module_status_facts_rebuild()

    assert rows == len(kept)
    assert set(ModuleStatusFacts.objects.values_list(*FACT_COLUMNS)) == kept


def test_the_check_names_a_row_that_disagrees_and_a_rebuild_mends_it(quiz, people, capsys):
    staff = people["staff"]
    attempt = attempt_begin(person=staff, quiz=quiz)
    attempt_submit(attempt=attempt, answers=answers_all(attempt, right=False))
    call_command("module_status_facts_rebuild", "--check")
    assert "agree" in capsys.readouterr().out

    # Bent by hand, past the services.
    ModuleStatusFacts.objects.filter(person=staff).update(attempts=0, started=True)
    assert set(module_status_facts_differences()) == {(staff.pk, quiz.module_id)}
    with pytest.raises(CommandError, match="1 stored fact row"):
        call_command("module_status_facts_rebuild", "--check")
    assert f"person {staff.pk}, module {quiz.module_id}" in capsys.readouterr().out

    call_command("module_status_facts_rebuild")
    assert module_status_facts_differences() == {}
    assert _facts(staff, quiz.module)["attempts"] == 1


def test_a_refresh_mends_a_row_that_disagrees_and_removes_one_with_nothing_on_record(
    quiz, people, clause, wagtail_root
):
    """A refresh works its pairs out from the records whatever the table held before: a row that
    disagrees is put right, a row for a pair with no records is removed, and the rows of other
    people and other modules are left as they were, however wrong."""
    staff, deep = people["staff"], people["deep"]
    attempt = attempt_begin(person=staff, quiz=quiz)
    attempt_submit(attempt=attempt, answers=answers_all(attempt, right=False))
    other_module = ModulePage.objects.exclude(pk=quiz.module_id).first() or module_page_create(
        clause=clause, title="Other module", slug="other-module"
    )
    # Bent by hand, past the services: a wrong count, and rows for pairs nobody has touched.
    ModuleStatusFacts.objects.filter(person=staff, module=quiz.module).update(attempts=5)
    for person, module in ((staff, other_module), (deep, quiz.module)):
        ModuleStatusFacts.objects.create(person=person, module=module, attempts=3)

    module_status_facts_refresh(
        person_ids=[staff.pk, staff.pk], module_ids=[quiz.module_id, other_module.pk]
    )

    assert _facts(staff, quiz.module) == NOTHING_YET | {"attempts": 1, "started": True}
    assert _facts(staff, other_module) is None
    assert _facts(deep, quiz.module)["attempts"] == 3, "another person's row was touched"
    ModuleStatusFacts.objects.filter(person=deep).delete()  # the check after the test


def test_a_refresh_of_nobody_or_no_module_writes_nothing(people, module):
    module_status_facts_refresh(person_ids=[], module_ids=[module.pk])
    module_status_facts_refresh(person_ids=[people["staff"].pk], module_ids=[])
    assert not ModuleStatusFacts.objects.exists()


def test_a_fixture_refreshing_once_leaves_the_facts_a_refresh_per_write_would(
    people, clause, wagtail_root
):
    """The test factories' ``facts_refreshed_once`` (for fixtures that make hundreds of records):
    nothing is refreshed inside, even in a nested block; at the end, every person and module
    written to is, as the records say."""
    today = timezone.localdate()
    first, second = line_modules(clause=clause, today=today)[:2]
    staff, manager = people["staff"], people["manager"]
    with facts_refreshed_once():
        certificate_make(person=staff, module=first, expires_on=today + datetime.timedelta(200))
        with facts_refreshed_once():
            attempt_make(
                person=manager, quiz=Quiz.objects.get(module=second), passed=False, percent=10
            )
        progress_make(person=manager, module=first)
        assert not ModuleStatusFacts.objects.exists()

    assert module_status_facts_differences() == {}
    assert _facts(staff, first)["certificate_status"] == Certificate.Status.VALID
    assert _facts(manager, second)["attempts"] == 1
    assert _facts(manager, first)["started"] is True
    assert _facts(staff, second) is None


def test_a_fixture_that_fails_half_way_refreshes_nothing(people, clause, wagtail_root):
    today = timezone.localdate()
    module = line_modules(clause=clause, today=today)[0]
    with pytest.raises(ValueError), facts_refreshed_once():
        progress_make(person=people["staff"], module=module)
        raise ValueError("half-way")

    assert not ModuleStatusFacts.objects.exists()
    assert set(module_status_facts_differences()) == {(people["staff"].pk, module.pk)}
    module_status_facts_rebuild()  # for the check after every test
