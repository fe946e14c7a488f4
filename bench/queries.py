"""Figure 2: queries per request of the measured pages, for reporting lines of several sizes and
modules of several lengths. Everything it builds is rolled back."""

import json
from urllib.parse import urlencode

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from modules.models import ModuleIndexPage, ModulePage, PolicyClause
from modules.services import page_routes_forget
from people.models import Person
from quizzes.models import Option, Quiz, SingleChoiceQuestion
from quizzes.services import attempt_start

from .data import dead_rows_remove, module_steps_walk, submission_body
from .stats import Figure

PAGES = ("module page", "module step (last)", "quiz page", "quiz submission", "manager dashboard")


class _Rollback(Exception):
    pass


def steps_build(*, count, clause):
    """``count`` steps: a decision every fifth step (each cites a clause), narratives between."""
    steps = []
    for number in range(1, count + 1):
        if number % 5 == 0:
            steps.append(
                {
                    "type": "decision",
                    "value": {
                        "key": f"d{number}",
                        "heading": f"Decision {number}",
                        "situation": "<p>What do you do?</p>",
                        "choices": [
                            {
                                "text": "The right thing",
                                "consequence": "It goes well.",
                                "feedback": "Right.",
                                "clause": clause.pk,
                                "is_correct": True,
                                "branch_to": "",
                            },
                            {
                                "text": "The wrong thing",
                                "consequence": "It goes badly.",
                                "feedback": "Not so.",
                                "clause": clause.pk,
                                "is_correct": False,
                                "branch_to": "",
                            },
                        ],
                    },
                }
            )
        else:
            steps.append(
                {
                    "type": "narrative",
                    "value": {
                        "heading": f"Step {number}",
                        "body": "<p>What happened.</p>",
                        "image": None,
                        "image_alt": "",
                    },
                }
            )
    return steps


def _module_with_quiz(*, steps):
    clause = PolicyClause.objects.order_by("pk").first()
    index = ModuleIndexPage.objects.first()
    page = index.add_child(
        instance=ModulePage(
            title=f"Bench module of {steps} steps",
            slug=f"bench-{steps}-steps",
            summary="For the benchmark.",
            steps=json.dumps(steps_build(count=steps, clause=clause)),
        )
    )
    page.save_revision().publish()
    page.refresh_from_db()
    # Options in authored order, so the submission (first option each time) always takes the
    # passing path: shuffled, pass or fail would be chance, and so would the count.
    quiz = Quiz.objects.create(
        module=page, title=f"Bench quiz {steps}", pass_mark=60, shuffle_options=False
    )
    for number in range(3):
        question = SingleChoiceQuestion.objects.create(
            quiz=quiz, text=f"Question {number}?", sort_order=number
        )
        for option in range(3):
            Option.objects.create(
                question=question,
                sort_order=option,
                text=f"Option {option}",
                is_correct=option == 0,
                feedback="Because.",
                clause=clause,
            )
    return page, quiz


def _line_limit(*, size):
    """Leave GEN-000001 exactly ``size`` people below: everyone after GEN-(size + 1) leaves the line.
    The generator numbers people so that every manager comes before their reports."""
    Person.objects.filter(
        employee_number__startswith="GEN-", employee_number__gt=f"GEN-{size + 1:06d}"
    ).update(line_manager=None)


def _count(client, method, path, data=None):
    """Queries of the second identical request (the first fills per-process caches)."""
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = (
                getattr(client, method)(path, data)
                if data is not None
                else getattr(client, method)(path)
            )
    if response.status_code >= 400:
        raise RuntimeError(f"{method.upper()} {path} answered {response.status_code}")
    return len(captured)


def queries_measure(*, data, line_sizes, module_steps, log):
    counts = {page: {} for page in PAGES}
    top = Person.objects.select_related("user").get(employee_number="GEN-000001")
    viewer = data.viewer
    for steps in module_steps:
        for size in line_sizes:
            try:
                with transaction.atomic():
                    page, quiz = _module_with_quiz(steps=steps)
                    _line_limit(size=size)
                    staff, manager = Client(), Client()
                    staff.force_login(viewer.user)
                    manager.force_login(top.user)
                    key = (size, steps)
                    counts["module page"][key] = _count(staff, "get", page.url)
                    # Walked first: without a run through the module the step only redirects.
                    module_steps_walk(person=viewer, module=page)
                    counts["module step (last)"][key] = _count(
                        staff, "get", f"{page.url}step/{steps}/"
                    )
                    attempt = attempt_start(person=viewer, quiz=quiz)
                    counts["quiz page"][key] = _count(
                        staff, "get", f"/quizzes/attempts/{attempt.pk}/"
                    )
                    counts["quiz submission"][key] = _submission_count(staff, attempt)
                    counts["manager dashboard"][key] = _count(manager, "get", "/team/")
                    log(
                        f"  queries, line of {size:,}, module of {steps} steps: "
                        + ", ".join(f"{name} {by_size[key]}" for name, by_size in counts.items())
                    )
                    raise _Rollback
            except _Rollback:
                pass
            dead_rows_remove(Person)
            # The rolled-back module's route was cached after its publish renewed the
            # generation; nothing renews it on a rollback.
            page_routes_forget()
    return [_figure(name, by_size) for name, by_size in counts.items()]


def _submission_count(client, attempt):
    """One submission only (an attempt is submitted once), so the caches are warmed on the form."""
    body = urlencode(submission_body(attempt=attempt, csrf=None))
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/quizzes/attempts/{attempt.pk}/",
            body,
            content_type="application/x-www-form-urlencoded",
        )
    if response.status_code != 302:
        raise RuntimeError(f"the submission answered {response.status_code}")
    return len(captured)


def _figure(name, by_size):
    smallest = min(by_size)
    values = [by_size[key] for key in sorted(by_size)]
    return Figure(
        name=f"{name}: queries per request",
        unit="queries",
        rounds=[max(values)],
        yardstick=f"at {smallest[0]:,} people, {smallest[1]} steps",
        yardstick_rounds=[by_size[smallest]],
        goal="flat",
        passed=len(set(values)) == 1,
        extra={
            "by_size": {
                f"{size} people, {steps} steps": count
                for (size, steps), count in sorted(by_size.items())
            }
        },
    )
