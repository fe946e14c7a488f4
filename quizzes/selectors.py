"""Reads for quizzes."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from .drawing import BankEntry, draw_problems
from .models import Attempt, Question, Quiz, RetryAllowance


def quiz_bank(*, quiz):
    """The quiz's questions as the draw sees them, in authored order."""
    return [
        BankEntry(id=pk, topic=topic, critical=critical)
        for pk, topic, critical in Question.objects.filter(quiz=quiz)
        .order_by("sort_order", "id")
        .values_list("pk", "topic", "critical")
    ]


def quiz_topic_counts(*, quiz):
    return {draw.topic: draw.count for draw in quiz.topic_draws.all()}


def quiz_draw_problems(*, quiz, total=..., per_topic=None):
    """Why the quiz's draw settings (or the ones given, e.g. from an admin form not yet saved)
    cannot be met by its bank, as sentences; empty when they can."""
    return draw_problems(
        bank=quiz_bank(quiz=quiz) if quiz.pk else [],
        total=quiz.questions_per_attempt if total is ... else total,
        per_topic=quiz_topic_counts(quiz=quiz) if per_topic is None else per_topic,
    )


def attempts_shown(*, person, quiz):
    """The question ids each of the person's earlier attempts at this quiz showed, oldest first
    (the history a retry's draw avoids repeating). One query."""
    return [
        [question["id"] for question in questions]
        for questions in Attempt.objects.filter(person=person, quiz=quiz)
        .order_by("started_at", "pk")
        .values_list("questions", flat=True)
    ]


def attempt_retry_at(*, person, quiz, now=None):
    """When the person may next start this quiz, or None if they may start now.

    After every ``attempts_before_cooldown`` failed attempts in a row, the person waits
    ``cooldown_hours`` from the last of them. A pass starts the count again."""
    if not quiz.attempts_before_cooldown or not quiz.cooldown_hours:
        return None
    attempts = Attempt.objects.filter(person=person, quiz=quiz, submitted_at__isnull=False)
    allowance = RetryAllowance.objects.filter(person=person, quiz=quiz).order_by("-granted_at").first()
    if allowance is not None:
        attempts = attempts.filter(submitted_at__gt=allowance.granted_at)
    history = attempts.order_by("submitted_at", "pk").values_list("passed", "submitted_at")
    return retry_at_from_history(history=history, quiz=quiz, now=now or timezone.now())


def attempts_retry_at(*, person_ids, module_ids, now=None):
    """``attempt_retry_at`` for many people and modules at once, in at most three queries however
    many there are: {(person_id, module_id): datetime} for those who must still wait."""
    quizzes = {
        quiz.pk: quiz
        for quiz in Quiz.objects.filter(module_id__in=module_ids)
        if quiz.attempts_before_cooldown and quiz.cooldown_hours
    }
    if not quizzes:
        return {}
    allowed_from = {
        (person_id, quiz_id): granted_at
        for person_id, quiz_id, granted_at in RetryAllowance.objects.filter(
            person_id__in=person_ids, quiz_id__in=quizzes
        )
        .order_by("granted_at")
        .values_list("person_id", "quiz_id", "granted_at")
    }
    histories = defaultdict(list)
    for person_id, quiz_id, passed, submitted_at in (
        Attempt.objects.filter(person_id__in=person_ids, quiz_id__in=quizzes, submitted_at__isnull=False)
        .order_by("submitted_at", "pk")
        .values_list("person_id", "quiz_id", "passed", "submitted_at")
    ):
        allowed = allowed_from.get((person_id, quiz_id))
        if allowed is None or submitted_at > allowed:
            histories[(person_id, quiz_id)].append((passed, submitted_at))
    now = now or timezone.now()
    waits = {}
    for (person_id, quiz_id), history in histories.items():
        retry_at = retry_at_from_history(history=history, quiz=quizzes[quiz_id], now=now)
        if retry_at is not None:
            waits[(person_id, quizzes[quiz_id].module_id)] = retry_at
    return waits


def retry_at_from_history(*, history, quiz, now):
    """The cooldown rule on a person's (passed, submitted_at) history, oldest first."""
    cooldown = datetime.timedelta(hours=quiz.cooldown_hours)
    failures, retry_at = 0, None
    for passed, submitted_at in history:
        if passed:
            failures, retry_at = 0, None
            continue
        failures += 1
        if failures >= quiz.attempts_before_cooldown:
            failures, retry_at = 0, submitted_at + cooldown
    if retry_at is not None and retry_at > now:
        return retry_at
    return None


def attempt_for_person(*, person, attempt_id):
    """The person's own attempt, or None: nobody reaches someone else's attempt by its id."""
    return Attempt.objects.select_related("quiz__module").filter(person=person, pk=attempt_id).first()


def attempt_for_audit(*, attempt_id):
    return Attempt.objects.select_related("quiz__module", "person__user").filter(pk=attempt_id).first()


def quizzes_for_audit():
    """Every quiz with how many attempts it has had and how many passed."""
    return (
        Quiz.objects.select_related("module")
        .annotate(
            attempt_count=Count("attempts"),
            passed_count=Count("attempts", filter=Q(attempts__passed=True)),
        )
        .order_by("title")
    )


def quiz_attempts_for_audit(*, quiz):
    """Every attempt at the quiz, oldest first, for the auditor's list and bulk export."""
    return Attempt.objects.select_related("person__user").filter(quiz=quiz).order_by("started_at", "pk")


def attempt_result_rows(*, attempt, every_option=False):
    """What the result page and the evidence record show for each question: the answer given,
    whether it was right, and for each part of it the feedback and clause. The result page picks
    out the option chosen and the right one; the evidence (``every_option``) lists every option
    shown. Only ever called on a submitted attempt."""
    results = {row["question"]: row for row in attempt.results}
    rows = []
    for number, question in enumerate(attempt.questions, start=1):
        question_id = str(question["id"])
        response = attempt.answers.get(question_id)
        items = _ITEMS[question["type"]](question, response)
        if every_option and question["type"] in ("single_choice", "true_false"):
            items = _every_option_items(question, response)
        rows.append(
            {
                "number": number,
                "question": question,
                "answered": response is not None,
                "response": response,
                "correct": results[question_id]["correct"],
                "points": results[question_id]["points"],
                "max_points": results[question_id]["max_points"],
                "items": items,
                "answer_text": _answer_text(question, response),
            }
        )
    return rows


def _answer_text(question, response):
    if response is None:
        return "No answer"
    options = {option["id"]: option["text"] for option in question["options"]}
    if question["type"] in ("single_choice", "true_false"):
        return options[response]
    if question["type"] == "multiple_response":
        return "; ".join(options[option_id] for option_id in response)
    if question["type"] == "ordering":
        return "; ".join(f"{position}. {options[option_id]}" for position, option_id in enumerate(response, start=1))
    return "; ".join(f"{options[option_id]}: {_JUDGEMENT_LABELS[value]}" for option_id, value in response.items())


def _one_option_items(question, response):
    """The option chosen and, when it was wrong, the option the policy expects."""
    items = []
    for option in question["options"]:
        chosen = option["id"] == response
        if chosen or option["correct"]:
            items.append(
                _item(option, given=option["text"] if chosen else "", expected="Right answer" if option["correct"] else "")
            )
    return items


def _many_options_items(question, response):
    chosen = set(response or [])
    return [
        _item(
            option,
            given="Chosen" if option["id"] in chosen else "Not chosen",
            expected="Applies" if option["correct"] else "Does not apply",
            right=(option["id"] in chosen) == option["correct"],
        )
        for option in question["options"]
    ]


def _order_items(question, response):
    given_position = {option_id: position for position, option_id in enumerate(response or [], start=1)}
    return [
        _item(
            option,
            given=f"Position {given_position[option['id']]}" if option["id"] in given_position else "",
            expected=f"Position {option['position']}",
            right=given_position.get(option["id"]) == option["position"],
        )
        for option in sorted(question["options"], key=lambda option: option["position"])
    ]


_JUDGEMENT_LABELS = {True: "Appropriate", False: "Not appropriate"}


def _judgement_items(question, response):
    response = response or {}
    return [
        _item(
            option,
            given=_JUDGEMENT_LABELS[response[option["id"]]] if option["id"] in response else "",
            expected=_JUDGEMENT_LABELS[option["appropriate"]],
            right=response.get(option["id"]) == option["appropriate"],
        )
        for option in question["options"]
    ]


def _item(option, *, given, expected, right=None):
    clause = option["clause"]
    return {
        "text": option["text"],
        "given": given,
        "expected": expected,
        "right": option["correct"] if right is None else right,
        "feedback": option["feedback"],
        "clause": clause,
        "citation": (
            f"{clause['organisation']} {clause['document']} (version {clause['document_version']}), "
            f"clause {clause['reference']}, clause version {clause['version']}"
        ),
    }


_ITEMS = {
    "single_choice": _one_option_items,
    "true_false": _one_option_items,
    "multiple_response": _many_options_items,
    "ordering": _order_items,
    "scenario_judgement": _judgement_items,
}


EVIDENCE_COLUMNS = [
    "attempt_id", "person", "employee_number", "quiz", "module", "started_at", "submitted_at", "timed_out",
    "score", "max_score", "percent", "pass_mark", "passed", "question_number", "question_id", "question_version",
    "question_type", "critical", "question", "question_points", "question_max_points", "question_correct",
    "item", "answer_given", "policy_answer", "item_right", "feedback", "policy_document", "document_version",
    "clause_reference", "clause_version", "clause_heading",
]


def attempt_evidence_rows(*, attempt):
    """The evidence record flattened: one row per option or item shown, every row carrying the
    attempt, the question and the clause it rests on. Columns as in EVIDENCE_COLUMNS."""
    head = [
        attempt.pk, attempt.person.full_name, attempt.person.employee_number, attempt.quiz.title,
        attempt.quiz.module.title, _iso(attempt.started_at), _iso(attempt.submitted_at), attempt.timed_out,
        attempt.score, attempt.max_score, attempt.percent, attempt.pass_mark, attempt.passed,
    ]
    if not attempt.is_submitted:
        yield head + [""] * (len(EVIDENCE_COLUMNS) - len(head))
        return
    for row in attempt_result_rows(attempt=attempt, every_option=True):
        question = row["question"]
        for item in row["items"]:
            clause = item["clause"]
            yield head + [
                row["number"], question["id"], question.get("version", ""), question["type"], question["critical"],
                question["text"], row["points"], row["max_points"], row["correct"], item["text"], item["given"],
                item["expected"], item["right"], item["feedback"], clause["document"], clause["document_version"],
                clause["reference"], clause["version"], clause["heading"],
            ]


def _every_option_items(question, response):
    return [
        _item(
            option,
            given="Chosen" if option["id"] == response else "Not chosen",
            expected="Right answer" if option["correct"] else "",
            right=(option["id"] == response) == option["correct"],
        )
        for option in question["options"]
    ]


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else ""
