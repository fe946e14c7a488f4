"""Insight for managers and auditors: compliance month by month, and the policy clauses people
get wrong, as tables, exports and charts. A manager sees figures about their reporting line as a
whole, never who answered what, and never a figure about fewer than ``SMALL_NUMBER`` people.

Compliance at a month's end: of the (person, module) pairs that are assigned today (the team
grid's own rule, ``tracking.selectors.assigned_modules``), counting a person only from the month they started,
the share that held a module certificate valid on that day: issued by then, not yet expired,
and not revoked by then. The current month is measured today. What a certificate's status was
in the past (say, recertification due after a policy change) is not kept, so the past months
count a certificate as valid on its dates alone."""

import bisect
import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Case, OuterRef, Subquery, When
from django.utils import timezone

from certificates.models import Certificate, CertificateEvent
from lms.charts import bar_chart, line_chart
from people.models import Person
from people.selectors import reporting_line
from quizzes.selectors import clause_misses, months_back

from .selectors import assigned_modules, modules_for_tracking

INSIGHT_MONTHS = 12
# A figure about fewer people than this is never shown to a manager: with three people in a
# line, "67 % missed clause 4.2" all but names who.
SMALL_NUMBER = 5
SUPPRESSED = f"Not shown: fewer than {SMALL_NUMBER} people"
SUPPRESSED_WHY = (
    f"To protect people's privacy, a figure about fewer than {SMALL_NUMBER} people is not shown: "
    "with so few, it could say how one person did."
)
CHART_CLAUSES = 10
NOTHING_ASSIGNED = "No modules assigned"


@dataclass(frozen=True)
class MonthCompliance:
    month: datetime.date  # its first day
    measured_on: datetime.date  # its last day, or today for this month
    people: int
    assigned: int
    compliant: int

    @property
    def percent(self):
        return round(100 * self.compliant / self.assigned, 1) if self.assigned else None


def month_label(month):
    return f"{calendar.month_abbr[month.month]} {month.year}"


def _month_ends(*, month_starts, today):
    ends = []
    for start in month_starts:
        last = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        ends.append(min(last, today))
    return ends


def compliance_by_month(*, people, today=None, months=INSIGHT_MONTHS):
    """Compliance at the end of each of the last ``months`` months (see the module's docstring),
    for ``people`` (a queryset: the organisation or a reporting line)."""
    today = today or timezone.localdate()
    month_starts = months_back(today=today, months=months)
    ends = _month_ends(month_starts=month_starts, today=today)
    modules = list(modules_for_tracking())
    assigned_pairs = assigned_modules(people=people, modules=modules)
    revoked = Certificate.Status.REVOKED
    revocation_time = CertificateEvent.objects.filter(
        certificate=OuterRef("pk"), to_status=revoked
    ).order_by("at")
    valid_months = {}  # (person, module) -> indexes of the months it was valid at the end of
    for person_id, module_id, issued_at, expires_on, revoked_at in (
        Certificate.objects.filter(
            person_id__in=people.values("pk"),
            module_id__in=[module.pk for module in modules],
            kind=Certificate.Kind.MODULE,
        )
        .annotate(
            revoked_at=Case(When(status=revoked, then=Subquery(revocation_time.values("at")[:1])))
        )
        .values_list("person_id", "module_id", "issued_at", "expires_on", "revoked_at")
        .order_by()
    ):
        last_valid = expires_on
        if revoked_at is not None:
            last_valid = min(last_valid, timezone.localdate(revoked_at) - datetime.timedelta(1))
        first = bisect.bisect_left(ends, timezone.localdate(issued_at))
        last = bisect.bisect_right(ends, last_valid)
        if first < last:
            valid_months.setdefault((person_id, module_id), set()).update(range(first, last))
    people_count, assigned, compliant = [0] * months, [0] * months, [0] * months
    for person, module_ids in assigned_pairs:
        if not module_ids:
            continue
        from_month = bisect.bisect_left(ends, person.start_date) if person.start_date else 0
        for index in range(from_month, months):
            people_count[index] += 1
            assigned[index] += len(module_ids)
        for module_id in module_ids:
            for index in valid_months.get((person.pk, module_id), ()):
                if index >= from_month:
                    compliant[index] += 1
    return [
        MonthCompliance(
            month=start,
            measured_on=end,
            people=people_count[index],
            assigned=assigned[index],
            compliant=compliant[index],
        )
        for index, (start, end) in enumerate(zip(month_starts, ends, strict=True))
    ]


def organisation_people():
    return Person.objects.filter(left_on__isnull=True)


# The tables: one list of headers and rows of cells each, drawn on the page and exported alike.

COMPLIANCE_HEADERS = [
    "Month",
    "Measured on",
    "People",
    "Assigned modules",
    "Compliant",
    "Compliant (%)",
]
CLAUSE_HEADERS = [
    "Policy document",
    "Clause",
    "Heading",
    "Times asked",
    "Times missed",
    "Missed (%)",
    "Trend by month (missed %)",
    "Questions behind it",
]


def _percent(value):
    return None if value is None else round(value, 1)


def compliance_table(*, months, protect):
    """``protect``: a manager's view, with every month about fewer than SMALL_NUMBER people
    suppressed."""
    rows = []
    for month in months:
        hidden = protect and month.people < SMALL_NUMBER
        rows.append(
            [
                month_label(month.month),
                month.measured_on.isoformat(),
                SUPPRESSED if hidden else month.people,
                SUPPRESSED if hidden else month.assigned,
                SUPPRESSED if hidden else month.compliant,
                SUPPRESSED
                if hidden
                else (NOTHING_ASSIGNED if month.percent is None else month.percent),
            ]
        )
    return rows


def _trend(clause, protect):
    parts = []
    for month in clause.months:
        if not month.asked:
            continue
        if protect and month.people < SMALL_NUMBER:
            parts.append(f"{month_label(month.month)}: not shown")
        else:
            parts.append(
                f"{month_label(month.month)}: {round(month.share_missed)} % of {month.asked}"
            )
    return "; ".join(parts)


def _questions(clause, protect):
    if protect:  # a question's own figures may rest on fewer people than the clause's
        return "; ".join(question.text for question in clause.questions)
    return "; ".join(
        f"{question.text} ({round(question.share_missed)} % of {question.asked} missed)"
        for question in clause.questions
    )


def clause_is_shown(clause, protect):
    return not protect or clause.people >= SMALL_NUMBER


def clause_table(*, clauses, protect):
    rows = []
    for clause in sorted(clauses, key=lambda row: not clause_is_shown(row, protect)):
        shown = clause_is_shown(clause, protect)
        rows.append(
            [
                clause.document,
                clause.where or clause.reference,
                clause.heading,
                clause.asked if shown else SUPPRESSED,
                clause.missed if shown else SUPPRESSED,
                _percent(clause.share_missed) if shown else SUPPRESSED,
                _trend(clause, protect) if shown else SUPPRESSED,
                _questions(clause, protect),
            ]
        )
    return rows


def compliance_chart(*, months, protect, whose):
    values = [
        None
        if month.percent is None or (protect and month.people < SMALL_NUMBER)
        else month.percent
        for month in months
    ]
    shown = [value for value in values if value is not None]
    if shown:
        summary = (
            f"From {shown[0]:g} % to {shown[-1]:g} % compliant over {len(months)} months. "
            "The table that follows gives every figure."
        )
    else:
        summary = "No month has a figure to show. The table that follows says why."
    return line_chart(
        title=f"Compliance by month: {whose}",
        description=summary,
        labels=[month_label(month.month) for month in months],
        values=values,
        y_title="Compliant (%)",
    )


def clause_chart(*, clauses, protect, whose):
    shown = [clause for clause in clauses if clause_is_shown(clause, protect)][:CHART_CLAUSES]
    if shown:
        top = shown[0]
        summary = (
            f"The {len(shown)} most-missed clauses. Most missed: {top.label}, "
            f"{round(top.share_missed)} % of answers. The table that follows gives every figure."
        )
    else:
        summary = "No clause has a figure to show. The table that follows says why."
    return bar_chart(
        title=f"Most-missed policy clauses: {whose}",
        description=summary,
        labels=[clause.label for clause in shown],
        values=[round(clause.share_missed, 1) for clause in shown],
        x_title="Answers missed (%)",
    )


@dataclass(frozen=True)
class Insight:
    compliance_headers: list
    compliance_rows: list
    compliance_chart: object
    clause_headers: list
    clause_rows: list
    clause_chart: object
    any_suppressed: bool


def manager_insight(*, manager, today=None):
    """The manager's reporting line as a whole, small numbers suppressed."""
    line = reporting_line(manager=manager)
    months = compliance_by_month(people=line, today=today)
    clauses = clause_misses(people=line, today=today, count_people=True)
    whose = "your reporting line"
    return Insight(
        compliance_headers=COMPLIANCE_HEADERS,
        compliance_rows=compliance_table(months=months, protect=True),
        compliance_chart=compliance_chart(months=months, protect=True, whose=whose),
        clause_headers=CLAUSE_HEADERS,
        clause_rows=clause_table(clauses=clauses, protect=True),
        clause_chart=clause_chart(clauses=clauses, protect=True, whose=whose),
        any_suppressed=any(month.people < SMALL_NUMBER for month in months)
        or any(not clause_is_shown(clause, True) for clause in clauses),
    )
