"""Figure 8: the insight reports (item analysis, most-missed clauses, compliance over time),
each exported as CSV from its admin report view, against a plain SQL count over the same rows.

The generated organisation's attempts carry no snapshots (its figures only need scores), so
``insight_attempts_ensure`` adds submitted attempts of one quiz whose snapshots are real (the
quiz's own questions, as ``Question.snapshot`` freezes them), answered right or wrong at random,
spread over the last twelve months, until there are ``count`` of them, each with its answered
questions (``AnsweredQuestion``) as a submission writes them."""

import datetime
import random
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.models import Person
from quizzes.answered_questions import answered_questions_record
from quizzes.models import AnsweredQuestion, Attempt
from tracking.facts import module_status_facts_rebuild

from .reports import PLAIN_COUNT
from .stats import Figure

GOAL_SECONDS = 2
# On PostgreSQL the first this many are made as a submission makes them; the rest copy them in
# SQL, each copy to another generated person at another time (minutes, not hours, on a busy
# machine; the figures only need many real-looking rows).
MADE_ONE_BY_ONE = 20_000
COPY_BATCH = 20_000


def insight_attempts_ensure(*, quiz, count, seed=8, log):
    snapshots = [question.snapshot(quiz=quiz) for question in quiz.questions.all()[:10]]
    if not snapshots:
        raise RuntimeError(f"{quiz} has no questions to snapshot")
    made = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False).exclude(questions=[])
    missing = count - made.count()
    if missing <= 0:
        _statistics_refresh()
        return
    copies = 0
    if connection.vendor == "postgresql":
        copies = max(0, missing - max(0, MADE_ONE_BY_ONE - (count - missing)))
        missing -= copies
    if missing > 0:
        _made_one_by_one(quiz=quiz, snapshots=snapshots, missing=missing, seed=seed, log=log)
    if copies:
        log(f"  copying {copies:,} of them in SQL, to other people and times")
        while copies > 0:
            batch = min(copies, COPY_BATCH)
            _copies_add(quiz=quiz, count=batch)
            copies -= batch
    # Written in bulk, past the services' hand-offs (as bench/organisation.py).
    module_status_facts_rebuild()
    _statistics_refresh()


def _statistics_refresh():
    """What autovacuum would have done by the time anyone reads a report: the planner's
    statistics of the tables, including any extended statistics a migration has just added."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Attempt._meta.db_table}")
            cursor.execute(f"ANALYZE {AnsweredQuestion._meta.db_table}")


def _made_one_by_one(*, quiz, snapshots, missing, seed, log):
    log(f"  adding {missing:,} submitted attempts with snapshots")
    rng = random.Random(seed)
    people = list(
        Person.objects.filter(employee_number__startswith="GEN-").values_list("pk", flat=True)
    )
    now = timezone.now()
    batch = []
    for index in range(missing):
        # Each question has its own difficulty, so that the statistics have something to find.
        right = [rng.random() < 0.4 + 0.05 * number for number in range(len(snapshots))]
        score = sum(right)
        submitted_at = now - datetime.timedelta(minutes=rng.randint(1, 360 * 24 * 60))
        batch.append(
            Attempt(
                person_id=people[index % len(people)],
                quiz=quiz,
                pass_mark=quiz.pass_mark,
                questions=snapshots,
                answers={},
                results=[
                    {
                        "question": str(question["id"]),
                        "points": "1" if correct else "0",
                        "max_points": "1",
                        "correct": correct,
                    }
                    for question, correct in zip(snapshots, right, strict=True)
                ],
                submitted_at=submitted_at,
                score=score,
                max_score=len(snapshots),
                percent=Decimal(100 * score) / len(snapshots),
                passed=100 * score >= quiz.pass_mark * len(snapshots),
            )
        )
        if len(batch) == 5000:
            _submitted_create(batch)
            batch = []
    _submitted_create(batch)


def _copies_add(*, quiz, count):
    """``count`` copies of the quiz's submitted attempts with snapshots (and their answered
    questions), in two INSERT ... SELECTs: copy k of attempt number ((k - 1) mod n) + 1, with id
    above every existing one, to a generated person picked by k, submitted at a random moment of
    the last twelve months (PostgreSQL only)."""
    attempts, answered = Attempt._meta.db_table, AnsweredQuestion._meta.db_table
    changed = {
        "person_id": "person.id",
        "submitted_at": "picked.at",
        "started_at": "picked.at - interval '10 minutes'",
    }
    columns = [field.column for field in Attempt._meta.concrete_fields if field.column != "id"]
    answered_columns = [
        field.column for field in AnsweredQuestion._meta.concrete_fields if field.column != "id"
    ]
    answered_changed = {
        "attempt_id": "copied.id",
        "person_id": "copied.person_id",
        "submitted_at": "copied.submitted_at",
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {attempts}")  # noqa: S608
        base = cursor.fetchone()[0]
        cursor.execute("SELECT setseed(%s)", [(base % 1000) / 1000])
        source = f"""
            source AS (
                SELECT *, ROW_NUMBER() OVER (ORDER BY id) AS number FROM {attempts}
                WHERE quiz_id = %s AND submitted_at IS NOT NULL AND questions <> '[]'::jsonb
                    AND id <= %s
            ), sources AS (SELECT COUNT(*) AS n FROM source)"""  # noqa: S608  (our own names)
        cursor.execute(
            f"""
            WITH {source},
            people AS (
                SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS number FROM {Person._meta.db_table}
                WHERE employee_number LIKE 'GEN-%%'
            ), everyone AS (SELECT COUNT(*) AS n FROM people),
            picked AS (
                SELECT k, ((k - 1) %% sources.n) + 1 AS source_number,
                    ((k * 7919) %% everyone.n) + 1 AS person_number,
                    now() - random() * interval '360 days' - interval '1 minute' AS at
                FROM generate_series(1, %s) AS k CROSS JOIN sources CROSS JOIN everyone
            )
            INSERT INTO {attempts} (id, {", ".join(columns)})
            SELECT %s + picked.k, {", ".join(changed.get(c, "source." + c) for c in columns)}
            FROM picked JOIN source ON source.number = picked.source_number
            JOIN people person ON person.number = picked.person_number
            """,  # noqa: S608  (our own names; values bound)
            [quiz.pk, base, count, base],
        )
        cursor.execute(
            f"""
            WITH {source}
            INSERT INTO {answered} ({", ".join(answered_columns)})
            SELECT {", ".join(answered_changed.get(c, "answer." + c) for c in answered_columns)}
            FROM {attempts} copied CROSS JOIN sources
            JOIN source ON source.number = ((copied.id - %s - 1) %% sources.n) + 1
            JOIN {answered} answer ON answer.attempt_id = source.id
            WHERE copied.id > %s AND copied.id <= %s
            """,  # noqa: S608  (our own names; values bound)
            [quiz.pk, base, base, base, base + count],
        )
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{attempts}', 'id'), %s)",  # noqa: S608
            [base + count],
        )


def _submitted_create(attempts):
    """Write submitted attempts and, as a submission does, their reports' answered questions."""
    with transaction.atomic():
        answered_questions_record(attempts=Attempt.objects.bulk_create(attempts))


def _count(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


ATTEMPTS_COUNT = (
    f"SELECT COUNT(*) FROM {Attempt._meta.db_table} "  # noqa: S608  (our table name)
    "WHERE submitted_at IS NOT NULL AND quiz_id = %s"
)
SUBMITTED_COUNT = (
    f"SELECT COUNT(*) FROM {Attempt._meta.db_table} "  # noqa: S608  (our table name)
    "WHERE submitted_at IS NOT NULL AND submitted_at >= %s"
)


def insight_measure(*, admin, quiz, rounds, log):
    client = Client()
    client.force_login(admin)
    since = timezone.now() - datetime.timedelta(days=366)
    reports = (
        *(
            (
                f"item analysis ({basis} attempts)",
                "quizzes_report_item-analysis",
                {"quiz": quiz.pk, "basis": basis},
                (ATTEMPTS_COUNT, [quiz.pk]),
                "submitted attempts at the quiz",
            )
            for basis in ("first", "last", "all")
        ),
        (
            "most-missed clauses",
            "lms_report_most-missed-clauses",
            {},
            (SUBMITTED_COUNT, [since]),
            "submitted attempts of the last twelve months",
        ),
        (
            "compliance over time",
            "lms_report_compliance-over-time",
            {},
            (PLAIN_COUNT, []),
            "person x module rows",
        ),
    )
    figures = []
    for title, url_name, query, (count_sql, count_params), rows_are in reports:
        report_times, count_times, lines = [], [], 0
        count_rows = _count(count_sql, count_params)
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get(reverse(url_name), {**query, "export": "csv"})
            body = b"".join(response.streaming_content) if response.streaming else response.content
            report_times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{url_name} export answered {response.status_code}")
            lines = body.count(b"\n")
            started = time.perf_counter()
            _count(count_sql, count_params)
            count_times.append(time.perf_counter() - started)
        figure = Figure(
            name=f"report: {title}",
            unit="s",
            rounds=report_times,
            yardstick=f"SQL count of the {count_rows:,} {rows_are}",
            yardstick_rounds=count_times,
            goal=f"< {GOAL_SECONDS} s",
            extra={"csv_lines": lines, "rows": count_rows},
        )
        figure.passed = figure.value < GOAL_SECONDS
        log(f"  {title}: {figure.value:.2f} s ({lines:,} CSV lines over {count_rows:,} rows)")
        figures.append(figure)
    return figures
