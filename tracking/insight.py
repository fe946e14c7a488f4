"""Insight for managers and auditors: compliance month by month, and the policy clauses people
get wrong, as tables, exports and charts. A manager sees figures about their reporting line as a
whole, never who answered what, and never a figure about fewer than ``SMALL_NUMBER`` people.

Compliance at a month's end: of the (person, module) pairs that are assigned today (the team
grid's own rule, ``tracking.selectors.assigned_modules``), counting a person only from the month they started,
the share that held a module certificate valid on that day: issued by then, not yet expired,
and not revoked by then. The current month is measured today. What a certificate's status was
in the past (say, recertification due after a policy change) is not kept, so the past months
count a certificate as valid on its dates alone."""

import calendar
import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from certificates.models import Certificate, CertificateEvent
from lms.charts import bar_chart, line_chart
from lms.small_numbers import SMALL_NUMBER, SUPPRESSED, SUPPRESSED_WHY  # noqa: F401  (used by views)
from lms.sql import whole_organisation_query
from people.models import Person
from people.selectors import reporting_line
from quizzes.selectors import clause_misses, months_back

from .selectors import modules_for_tracking
from .status_sql import assigned_sql

INSIGHT_MONTHS = 12
# A figure about fewer people than SMALL_NUMBER is never shown to a manager: with three people
# in a line, "67 % missed clause 4.2" all but names who (lms.small_numbers).
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


def _compliance_sql(*, people, modules, ends):
    # Month ends by position; each (person, module) assigned today counts from the month its
    # person started, compliant in a month when one of its certificates was valid at the end.
    with_sql, params = assigned_sql(people=people, modules=modules)
    date = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    zone = timezone.get_current_timezone_name()
    issued_on, issued_params = connection.ops.datetime_cast_date_sql("c.issued_at", (), zone)
    revoked_on, revoked_params = connection.ops.datetime_cast_date_sql("r.revoked_at", (), zone)
    day_before = (
        f"({revoked_on} - 1)"
        if connection.vendor == "postgresql"
        else f"date({revoked_on}, '-1 days')"
    )
    ids = [module.pk for module in modules]
    sql = f"""{with_sql},
month_ends(position, end_on) AS (VALUES {", ".join(f"(%s, {date})" for _ in ends)}),
revocations AS (
    SELECT certificate_id, MIN(at) AS revoked_at FROM {CertificateEvent._meta.db_table}
    WHERE to_status = %s GROUP BY certificate_id
),
valid AS (
    SELECT c.person_id, c.module_id, {issued_on} AS issued_on,
        CASE WHEN r.revoked_at IS NOT NULL AND {day_before} < c.expires_on
            THEN {day_before} ELSE c.expires_on END AS last_valid
    FROM {Certificate._meta.db_table} c
    LEFT JOIN revocations r ON r.certificate_id = c.id AND c.status = %s
    WHERE c.kind = %s AND c.module_id IN ({", ".join(["%s"] * len(ids))})
),
per_person AS (
    SELECT person_id, MIN(start_date) AS start_date, COUNT(*) AS modules FROM assigned
    GROUP BY person_id
),
counts AS (
    SELECT m.position, COUNT(*) AS people, SUM(p.modules) AS modules
    FROM month_ends m JOIN per_person p ON p.start_date IS NULL OR p.start_date <= m.end_on
    GROUP BY m.position
),
covered AS (
    SELECT DISTINCT m.position, m.end_on, v.person_id, v.module_id
    FROM month_ends m JOIN valid v ON v.issued_on <= m.end_on AND m.end_on <= v.last_valid
),
held AS (
    SELECT c.position, COUNT(*) AS compliant FROM covered c
    JOIN assigned a ON a.person_id = c.person_id AND a.module_id = c.module_id
    WHERE a.start_date IS NULL OR a.start_date <= c.end_on
    GROUP BY c.position
)
SELECT counts.position, counts.people, counts.modules, held.compliant
FROM counts LEFT JOIN held ON held.position = counts.position"""  # noqa: S608  (our own names; values bound)
    month_params = [value for position, end in enumerate(ends) for value in (position, end)]
    return sql, [
        *params,
        *month_params,
        Certificate.Status.REVOKED.value,
        *issued_params,
        *revoked_params,
        *revoked_params,
        Certificate.Status.REVOKED.value,
        Certificate.Kind.MODULE.value,
        *ids,
    ]


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
    for ``people`` (a queryset: the organisation or a reporting line), counted by the database:
    who is assigned what today (``status_sql``, the grid's own rule), and per month end the
    assigned (person, module) pairs, their people, and those with a certificate valid then."""
    today = today or timezone.localdate()
    month_starts = months_back(today=today, months=months)
    ends = _month_ends(month_starts=month_starts, today=today)
    modules = list(modules_for_tracking())
    people_count, assigned, compliant = [0] * months, [0] * months, [0] * months
    if modules:
        with whole_organisation_query(), connection.cursor() as cursor:
            cursor.execute(*_compliance_sql(people=people, modules=modules, ends=ends))
            for position, people_then, assigned_then, compliant_then in cursor.fetchall():
                people_count[position] = people_then
                assigned[position] = int(assigned_then)
                compliant[position] = int(compliant_then or 0)
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
