"""Where a person stands with one module: a pure function of dates and records, so that every
transition can be tested without a database.

Precedence, most urgent first: a current certificate decides (passed, expiring soon, expired,
recertification due); without one, a revoked certificate says so (and what to do); then a quiz
that refuses the person's organisation (none of its questions, or too few, are on their policies)
makes the module unavailable to them, never overdue; then a passed due date makes the person
overdue; otherwise failed, in progress or not started.

A refusing quiz also stands in for every status that would ask the person to pass it again (an
expired, revoked or recertification-due certificate): what they cannot do is never overdue and
never reminded of, and the words still say what became of the certificate. A certificate that
stands (passed, expiring soon) is not touched: it still counts."""

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

from certificates.expiry import EXPIRED as CERTIFICATE_EXPIRED
from certificates.expiry import has_expired, is_expiring_soon
from certificates.models import Certificate

NOT_ASSIGNED = "not_assigned"
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
PASSED = "passed"
FAILED = "failed"
OVERDUE = "overdue"
EXPIRING_SOON = "expiring_soon"
# The words a certificate's own status shares with tracking mean the same in both.
EXPIRED = CERTIFICATE_EXPIRED
RECERTIFICATION_DUE = Certificate.Status.RECERTIFICATION_DUE.value
REVOKED = Certificate.Status.REVOKED.value
# Assigned, but the module's quiz refuses the person's organisation a start: nothing the person
# can do, so never overdue and never a reminder (quizzes.selectors.quiz_refusals).
UNAVAILABLE = "unavailable"
UNAVAILABLE_LABEL = "Quiz not available to this organisation"

STATUS_NAMES = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    PASSED: "Passed",
    FAILED: "Failed",
    OVERDUE: "Overdue",
    EXPIRING_SOON: "Expiring soon",
    EXPIRED: "Expired",
    RECERTIFICATION_DUE: "Recertification due",
    REVOKED: "Certificate revoked",
    UNAVAILABLE: "Quiz not available",
    NOT_ASSIGNED: "Not assigned",
}
# Most urgent first: the order a manager wants when sorting by a module.
URGENCY = [
    OVERDUE,
    EXPIRED,
    REVOKED,
    RECERTIFICATION_DUE,
    FAILED,
    NOT_STARTED,
    IN_PROGRESS,
    EXPIRING_SOON,
    PASSED,
    UNAVAILABLE,
    NOT_ASSIGNED,
]
COMPLIANT = {PASSED, EXPIRING_SOON}
TAG_COLOURS = {
    OVERDUE: "red",
    EXPIRED: "red",
    RECERTIFICATION_DUE: "orange",
    REVOKED: "red",
    FAILED: "orange",
    NOT_STARTED: "grey",
    IN_PROGRESS: "blue",
    EXPIRING_SOON: "yellow",
    PASSED: "green",
    UNAVAILABLE: "grey",
    NOT_ASSIGNED: "grey",
}


@dataclass(frozen=True)
class CertificateFacts:
    status: str  # Certificate.Status value
    expires_on: datetime.date


@dataclass(frozen=True)
class Cell:
    """One person and one module, as a manager may see it: status and dates, never answers."""

    module: object
    status: str
    label: str
    due_on: datetime.date | None = None
    valid_until: datetime.date | None = None
    retry_on: datetime.date | None = None
    attempts: int = 0
    best_score: Decimal | None = None
    certificate_id: int | None = None
    revoked_on: datetime.date | None = None
    # The module's quiz refuses the person's organisation: a certificate that still stands says
    # so, and no reminder asks them to take the module again (tracking.reports._reasons).
    quiz_refused: bool = False

    @property
    def is_assigned(self):
        return self.status != NOT_ASSIGNED

    @property
    def is_compliant(self):
        return self.status in COMPLIANT

    @property
    def tag_colour(self):
        return TAG_COLOURS[self.status]

    @property
    def urgency(self):
        return URGENCY.index(self.status)


@functools.lru_cache(maxsize=4096)
def date_text(value):
    return f"{value.day} {value:%B %Y}"


def relative_due_on(*, start_date, assigned_on, within_days):
    """ "Within N days of starting", counted from the later of starting and being assigned."""
    starts = [day for day in (start_date, assigned_on) if day is not None]
    return max(starts) + datetime.timedelta(days=within_days)


def status_compute(
    *,
    module,
    assigned,
    due_on,
    certificate,
    recertify_by,
    attempts,
    best_score,
    passed_pending,
    started,
    retry_on,
    today,
    expiring_window_days,
    certificate_id=None,
    revoked_on=None,
    quiz_refused=False,
):
    """The cell for one person and module.

    ``certificate``: the current (valid or recertification-due) certificate's facts, or None.
    ``due_on``: the assignment's due date, which applies while there is no current certificate.
    ``recertify_by``: the due date of the recertification assignment, if one was made.
    ``passed_pending``: a passed attempt whose certificate is still being issued.
    ``revoked_on``: when the person's latest certificate for the module was revoked, if nothing
    has been submitted since: the pass behind it no longer counts, and the person must pass again
    (never "failed": they did not fail).
    ``quiz_refused``: the module's quiz refuses the person's organisation a start."""
    common = {
        "module": module,
        "attempts": attempts,
        "best_score": best_score,
        "certificate_id": certificate_id,
        "quiz_refused": quiz_refused,
    }
    if certificate is not None:
        valid_until = certificate.expires_on
        if certificate.status == RECERTIFICATION_DUE:
            if quiz_refused:
                return _unavailable(
                    common,
                    valid_until=valid_until,
                    certificate_text=f"recertification due, valid until {date_text(valid_until)}",
                )
            if recertify_by is not None and recertify_by < today:
                return Cell(
                    **common,
                    status=OVERDUE,
                    due_on=recertify_by,
                    valid_until=valid_until,
                    label=f"Overdue, recertification was due {date_text(recertify_by)}",
                )
            by = f" by {date_text(recertify_by)}" if recertify_by else ""
            return Cell(
                **common,
                status=RECERTIFICATION_DUE,
                due_on=recertify_by,
                valid_until=valid_until,
                label=f"Recertification due{by}",
            )
        # Expiry is the next due date: recertify before the certificate runs out.
        if has_expired(expires_on=valid_until, today=today):
            if quiz_refused:
                return _unavailable(
                    common,
                    valid_until=valid_until,
                    certificate_text=f"certificate expired on {date_text(valid_until)}",
                )
            return Cell(
                **common,
                status=EXPIRED,
                due_on=valid_until,
                valid_until=valid_until,
                label=f"Expired on {date_text(valid_until)}",
            )
        if is_expiring_soon(expires_on=valid_until, today=today, window_days=expiring_window_days):
            return Cell(
                **common,
                status=EXPIRING_SOON,
                due_on=valid_until,
                valid_until=valid_until,
                label=f"Expiring soon, valid until {date_text(valid_until)}",
            )
        return Cell(
            **common,
            status=PASSED,
            due_on=valid_until,
            valid_until=valid_until,
            label=f"Passed, valid until {date_text(valid_until)}",
        )
    if passed_pending:
        return Cell(**common, status=PASSED, label="Passed, certificate being issued")
    if revoked_on is not None:
        if quiz_refused:
            return _unavailable(
                common,
                revoked_on=revoked_on,
                certificate_text=f"certificate revoked on {date_text(revoked_on)}",
            )
        revoked_text = f"Certificate revoked on {date_text(revoked_on)}"
        if assigned and due_on is not None and due_on < today:
            return Cell(
                **common,
                status=OVERDUE,
                due_on=due_on,
                revoked_on=revoked_on,
                label=f"Overdue: {revoked_text[0].lower()}{revoked_text[1:]}, "
                f"pass the quiz again (was due {date_text(due_on)})",
            )
        due_text = f" by {date_text(due_on)}" if assigned and due_on else ""
        return Cell(
            **common,
            status=REVOKED,
            due_on=due_on if assigned else None,
            revoked_on=revoked_on,
            label=f"{revoked_text}: pass the quiz again{due_text}",
        )
    if not assigned:
        return Cell(**common, status=NOT_ASSIGNED, label="Not assigned")
    if quiz_refused:
        return _unavailable(common)
    if due_on is not None and due_on < today:
        return Cell(
            **common, status=OVERDUE, due_on=due_on, label=f"Overdue, was due {date_text(due_on)}"
        )
    due_text = f", due {date_text(due_on)}" if due_on else ""
    if attempts:
        retry_text = (
            f"can retry on {date_text(retry_on)}"
            if retry_on and retry_on > today
            else "can retry now"
        )
        return Cell(
            **common,
            status=FAILED,
            due_on=due_on,
            retry_on=retry_on,
            label=f"Failed, {retry_text}{due_text}",
        )
    if started:
        return Cell(**common, status=IN_PROGRESS, due_on=due_on, label=f"In progress{due_text}")
    return Cell(**common, status=NOT_STARTED, due_on=due_on, label=f"Not started{due_text}")


def _unavailable(common, *, certificate_text="", **dates):
    """Nothing the person can do: no due date (so no overdue and no reminder), and what became of
    their certificate, if anything did."""
    label = f"{UNAVAILABLE_LABEL} ({certificate_text})" if certificate_text else UNAVAILABLE_LABEL
    return Cell(**common, status=UNAVAILABLE, label=label, **dates)
