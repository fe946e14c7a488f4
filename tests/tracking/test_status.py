"""Every status transition of one person and one module, as a pure function of dates."""

import datetime
from decimal import Decimal

import pytest

from tracking import status as statuses
from tracking.status import CertificateFacts, relative_due_on, status_compute

TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)


def compute(**overrides):
    arguments = {
        "module": "module",
        "assigned": True,
        "due_on": TODAY + 10 * DAY,
        "certificate": None,
        "recertify_by": None,
        "attempts": 0,
        "best_score": None,
        "passed_pending": False,
        "started": False,
        "retry_on": None,
        "today": TODAY,
        "expiring_window_days": 30,
    }
    return status_compute(**{**arguments, **overrides})


def test_not_started_before_the_due_date():
    cell = compute()
    assert cell.status == statuses.NOT_STARTED
    assert cell.label == "Not started, due 25 June 2026"
    assert not cell.is_compliant


def test_in_progress_once_started():
    cell = compute(started=True)
    assert cell.status == statuses.IN_PROGRESS and cell.label == "In progress, due 25 June 2026"


def test_failed_can_retry_now_when_no_wait_is_set():
    cell = compute(started=True, attempts=2, best_score=Decimal("40"))
    assert cell.status == statuses.FAILED
    assert cell.label.startswith("Failed, can retry now")
    assert (cell.attempts, cell.best_score) == (2, Decimal("40"))


def test_failed_says_when_they_can_retry():
    cell = compute(attempts=1, retry_on=TODAY + 3 * DAY)
    assert cell.label.startswith("Failed, can retry on 18 June 2026")
    assert cell.retry_on == TODAY + 3 * DAY


def test_overdue_the_day_after_the_due_date_whatever_the_progress():
    for progress in ({}, {"started": True}, {"attempts": 1}):
        assert compute(due_on=TODAY - DAY, **progress).status == statuses.OVERDUE
    assert compute(due_on=TODAY).status == statuses.NOT_STARTED  # due today is not yet late
    assert compute(due_on=TODAY - DAY).label == "Overdue, was due 14 June 2026"


def test_passed_with_its_expiry_date_and_the_expiry_is_the_next_due_date():
    cell = compute(
        due_on=TODAY - 100 * DAY, certificate=CertificateFacts("valid", TODAY + 31 * DAY)
    )
    assert cell.status == statuses.PASSED and cell.is_compliant
    assert cell.label == "Passed, valid until 16 July 2026"
    assert cell.due_on == cell.valid_until == TODAY + 31 * DAY


def test_expiring_soon_inside_the_window_and_still_compliant():
    cell = compute(certificate=CertificateFacts("valid", TODAY + 30 * DAY))
    assert cell.status == statuses.EXPIRING_SOON and cell.is_compliant
    assert (
        compute(certificate=CertificateFacts("valid", TODAY), expiring_window_days=0).status
        == statuses.EXPIRING_SOON
    )
    assert (
        compute(certificate=CertificateFacts("valid", TODAY + DAY), expiring_window_days=0).status
        == statuses.PASSED
    )


def test_expired_the_day_after_expiry():
    cell = compute(certificate=CertificateFacts("valid", TODAY - DAY))
    assert cell.status == statuses.EXPIRED and not cell.is_compliant
    assert cell.label == "Expired on 14 June 2026"
    assert cell.due_on == TODAY - DAY


def test_recertification_due_then_overdue_after_its_due_date():
    certificate = CertificateFacts("recertification_due", TODAY + 200 * DAY)
    cell = compute(certificate=certificate, recertify_by=TODAY + 5 * DAY)
    assert (
        cell.status == statuses.RECERTIFICATION_DUE
        and cell.label == "Recertification due by 20 June 2026"
    )
    assert compute(certificate=certificate, recertify_by=None).label == "Recertification due"
    late = compute(certificate=certificate, recertify_by=TODAY - DAY)
    assert late.status == statuses.OVERDUE and "recertification was due 14 June 2026" in late.label


def test_a_pass_waiting_for_its_certificate_counts_as_passed():
    assert compute(attempts=1, passed_pending=True, due_on=TODAY - DAY).status == statuses.PASSED


def test_not_assigned_unless_they_have_a_certificate():
    assert compute(assigned=False).status == statuses.NOT_ASSIGNED
    assert (
        compute(assigned=False, certificate=CertificateFacts("valid", TODAY + 90 * DAY)).status
        == statuses.PASSED
    )


@pytest.mark.parametrize(
    ("start", "assigned", "days", "expected"),
    [
        (
            datetime.date(2026, 6, 1),
            datetime.date(2026, 1, 1),
            30,
            datetime.date(2026, 7, 1),
        ),  # from starting
        (
            datetime.date(2020, 1, 1),
            datetime.date(2026, 6, 1),
            30,
            datetime.date(2026, 7, 1),
        ),  # from being assigned
        (None, datetime.date(2026, 6, 1), 10, datetime.date(2026, 6, 11)),
    ],
)
def test_relative_due_dates(start, assigned, days, expected):
    assert relative_due_on(start_date=start, assigned_on=assigned, within_days=days) == expected


def test_a_quiz_that_refuses_the_persons_organisation_makes_the_module_unavailable_never_overdue():
    for progress in ({}, {"started": True}, {"attempts": 2}):
        for due_on in (TODAY - 30 * DAY, TODAY + DAY, None):
            cell = compute(quiz_refused=True, due_on=due_on, **progress)
            assert cell.status == statuses.UNAVAILABLE, (progress, due_on)
            assert cell.label == "Quiz not available to this organisation"
            assert cell.due_on is None and cell.is_assigned and not cell.is_compliant
    assert statuses.URGENCY[-2:] == [statuses.UNAVAILABLE, statuses.NOT_ASSIGNED]


def test_what_the_person_holds_or_is_not_asked_still_decides_before_a_refusing_quiz():
    valid = CertificateFacts(status="valid", expires_on=TODAY + 200 * DAY)
    assert compute(quiz_refused=True, certificate=valid).status == statuses.PASSED
    assert compute(quiz_refused=True, passed_pending=True).status == statuses.PASSED
    assert compute(quiz_refused=True, assigned=False).status == statuses.NOT_ASSIGNED
    expiring = CertificateFacts(status="valid", expires_on=TODAY + 5 * DAY)
    assert compute(quiz_refused=True, certificate=expiring).status == statuses.EXPIRING_SOON


def test_a_refusing_quiz_never_asks_a_holder_to_pass_it_again():
    """An expired, revoked or recertification-due certificate would ask for a pass the person
    cannot start: unavailable instead, never overdue, never a due date, saying what became of
    the certificate."""
    expired = CertificateFacts(status="valid", expires_on=TODAY - DAY)
    recertification = CertificateFacts(status="recertification_due", expires_on=TODAY + 20 * DAY)
    cases = {
        "Quiz not available to this organisation (certificate expired on 14 June 2026)": {
            "certificate": expired,
        },
        "Quiz not available to this organisation (recertification due, valid until 5 July 2026)": {
            "certificate": recertification,
            "recertify_by": TODAY - DAY,
        },
        "Quiz not available to this organisation (certificate revoked on 10 June 2026)": {
            "revoked_on": TODAY - 5 * DAY,
            "attempts": 1,
        },
    }
    for label, facts in cases.items():
        for assigned in (True, False):
            for due_on in (TODAY - 30 * DAY, TODAY + DAY, None):
                cell = compute(quiz_refused=True, assigned=assigned, due_on=due_on, **facts)
                assert (cell.status, cell.label, cell.due_on) == (
                    statuses.UNAVAILABLE,
                    label,
                    None,
                ), (facts, assigned, due_on)
                assert not cell.is_compliant
                # Without the refusal the same facts ask for a pass: the refusal is what changed.
                assert compute(assigned=assigned, due_on=due_on, **facts).status != (
                    statuses.UNAVAILABLE
                )
    revoked = compute(quiz_refused=True, revoked_on=TODAY - 5 * DAY)
    assert revoked.revoked_on == TODAY - 5 * DAY
    assert compute(quiz_refused=True, certificate=expired).valid_until == TODAY - DAY
