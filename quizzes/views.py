from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from lms.access import current_person

from .models import Quiz
from .selectors import attempt_for_person, attempt_result_rows
from .services import AttemptAlreadySubmitted, AttemptError, attempt_start, attempt_submit

ANSWER_PREFIX = "q-"


@login_required
@require_POST
def quiz_start(request, quiz_id):
    person = current_person(request)
    quiz = get_object_or_404(Quiz.objects.select_related("module"), pk=quiz_id, module__live=True)
    try:
        attempt = attempt_start(person=person, quiz=quiz)
    except AttemptError as error:
        messages.error(request, error.message)
        return redirect(quiz.module.url)
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


@login_required
def attempt_detail(request, attempt_id):
    person = current_person(request)
    attempt = attempt_for_person(person=person, attempt_id=attempt_id)
    if attempt is None:
        raise Http404
    if request.method == "POST":
        return _attempt_submit(request, attempt)
    if attempt.is_submitted:
        return _attempt_result(request, attempt)
    return _attempt_form(request, attempt)


def _attempt_submit(request, attempt):
    unexpected = sorted(key for key in request.POST if key != "csrfmiddlewaretoken" and not key.startswith(ANSWER_PREFIX))
    if unexpected:
        return _attempt_form(
            request, attempt, error="The form contained fields it should not. Nothing was saved; please answer again.", status=400
        )
    answers = {key.removeprefix(ANSWER_PREFIX): request.POST.getlist(key) for key in request.POST if key.startswith(ANSWER_PREFIX)}
    try:
        attempt_submit(attempt=attempt, answers=answers)
    except AttemptAlreadySubmitted as error:
        messages.error(request, error.message)
        response = _attempt_result(request, attempt.__class__.objects.get(pk=attempt.pk))
        response.status_code = 400
        return response
    except AttemptError as error:
        return _attempt_form(request, attempt, error=error.message, field_errors=error.errors, submitted=answers, status=400)
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


def _attempt_form(request, attempt, *, error=None, field_errors=None, submitted=None, status=200):
    submitted = submitted or {}
    field_errors = field_errors or {}
    questions = [
        {
            "id": str(question["id"]),
            "number": number,
            "text": question["text"],
            # Only what the learner needs to answer: never the key or the feedback.
            "options": [{"id": option["id"], "text": option["text"]} for option in question["options"]],
            "error": field_errors.get(str(question["id"])),
            "chosen": submitted.get(str(question["id"]), []),
        }
        for number, question in enumerate(attempt.questions, start=1)
    ]
    context = {"attempt": attempt, "quiz": attempt.quiz, "questions": questions, "error": error}
    return TemplateResponse(request, "quizzes/attempt_form.html", context, status=status)


def _attempt_result(request, attempt):
    certificate = getattr(attempt, "certificate", None) if attempt.passed else None
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "rows": attempt_result_rows(attempt=attempt),
        "certificate": certificate,
    }
    return TemplateResponse(request, "quizzes/attempt_result.html", context)
