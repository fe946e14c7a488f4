from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lms.access import current_person
from lms.background import task_failed_for_good

from .kinds import kind_of
from .models import Attempt, Quiz
from .question_inputs import question_fieldsets_html
from .selectors import attempt_for_user, attempt_review
from .services import (
    AttemptAlreadySubmitted,
    AttemptError,
    AttemptStale,
    AttemptTimeUp,
    attempt_close_overdue,
    attempt_is_overdue,
    attempt_save_progress,
    attempt_start,
    attempt_submit,
)

ANSWER_PREFIX = "q-"
ITEM_SEPARATOR = "."
FORM_STAMP_FIELD = "form_token"
ACTION = "action"
EXPECTED_FIELDS = {"csrfmiddlewaretoken", FORM_STAMP_FIELD, ACTION}
FORM_STAMP_NAMESPACE = "quizzes.attempt-form"


@login_required
@require_POST
def quiz_start(request, quiz_id):
    person = current_person(request)
    quiz = get_object_or_404(
        Quiz.objects.select_related("module"), pk=quiz_id, live=True, module__live=True
    )
    try:
        attempt = attempt_start(person=person, quiz=quiz)
    except AttemptError as error:
        messages.error(request, error.message)
        return redirect(quiz.module.url)
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


@login_required
def attempt_detail(request, attempt_id):
    attempt = attempt_for_user(user=request.user, attempt_id=attempt_id)
    if attempt is None:
        raise Http404
    if request.method == "POST":
        return _attempt_post(request, attempt)
    if not attempt.is_submitted and attempt_is_overdue(attempt=attempt):
        attempt = attempt_close_overdue(attempt=attempt)
    if attempt.is_submitted:
        return _attempt_result(request, attempt)
    return _attempt_form(request, attempt, shown=attempt.draft)


def form_token_for(attempt):
    """Ties a copy of the form to this attempt as it was saved when the form was shown."""
    return signing.dumps(
        {"attempt": attempt.pk, "revision": attempt.revision}, salt=FORM_STAMP_NAMESPACE
    )


def _form_revision(request, attempt):
    """The revision of the attempt the posted form was built from, or None if the form is not one
    this attempt's page produced."""
    try:
        token = signing.loads(request.POST.get(FORM_STAMP_FIELD, ""), salt=FORM_STAMP_NAMESPACE)
    except signing.BadSignature:
        return None
    if token.get("attempt") != attempt.pk:
        return None
    return token.get("revision")


def answers_from_post(post):
    """Question id -> raw values. Per-item fields (``q-<question>.<option>``) become
    ``"<option>=<value>"`` values of their question, as quizzes.scoring expects."""
    answers = {}
    for key in post:
        if not key.startswith(ANSWER_PREFIX):
            continue
        question_id, _, item = key.removeprefix(ANSWER_PREFIX).partition(ITEM_SEPARATOR)
        values = post.getlist(key)
        answers.setdefault(question_id, []).extend(
            [f"{item}={value}" for value in values] if item else values
        )
    return answers


def _attempt_post(request, attempt):
    unexpected = sorted(
        key
        for key in request.POST
        if key not in EXPECTED_FIELDS and not key.startswith(ANSWER_PREFIX)
    )
    answers = answers_from_post(request.POST)
    if attempt.is_submitted:
        messages.error(request, "This attempt has already been submitted. Nothing was changed.")
        return _attempt_result(request, attempt, status=400)
    if unexpected:
        return _attempt_form(
            request,
            attempt,
            shown=attempt.draft,
            status=400,
            error="The form contained fields it should not. Nothing was saved; please check your answers and try again.",
        )
    revision = _form_revision(request, attempt)
    if revision is None:
        return _attempt_form(
            request,
            attempt,
            shown=attempt.draft,
            status=400,
            error="This form does not belong to this attempt. Nothing was saved; please answer on this page.",
        )
    saving = request.POST.get(ACTION) == "save"
    if saving and _wants_json(request):
        return _autosave(attempt, answers=answers, revision=revision)
    try:
        if saving:
            attempt_save_progress(attempt=attempt, answers=answers, revision=revision)
        else:
            attempt_submit(attempt=attempt, answers=answers, revision=revision)
    except AttemptAlreadySubmitted as error:
        messages.error(request, error.message)
        return _attempt_result(request, Attempt.objects.get(pk=attempt.pk), status=400)
    except AttemptStale as error:
        attempt.refresh_from_db()
        return _attempt_form(request, attempt, shown=attempt.draft, error=error.message, status=400)
    except AttemptTimeUp as error:
        return _attempt_form(
            request, attempt, shown={}, error=error.message, status=400, time_up=True
        )
    except AttemptError as error:
        return _attempt_form(
            request,
            attempt,
            shown=answers,
            error=error.message,
            field_errors=error.errors,
            status=400,
        )
    if saving:
        messages.success(
            request, "Your answers are saved. You can come back and finish this quiz later."
        )
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _autosave(attempt, *, answers, revision):
    """The page's script saves as the person answers; it swaps in the new form token so that the
    next save or the submission is not taken for a stale copy."""
    try:
        attempt = attempt_save_progress(attempt=attempt, answers=answers, revision=revision)
    except AttemptError as error:
        return JsonResponse({"saved": False, "message": error.message}, status=400)
    saved_at = timezone.localtime(attempt.saved_at)
    return JsonResponse(
        {"saved": True, "form_token": form_token_for(attempt), "saved_at": f"{saved_at:%H:%M}"}
    )


def _attempt_form(
    request, attempt, *, shown, error=None, field_errors=None, status=200, time_up=False
):
    questions = questions_for_form(attempt.questions, shown=shown, field_errors=field_errors)
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "questions": questions,
        "questions_html": question_fieldsets_html(questions),
        "error": error,
        "time_up": time_up,
        "form_token": form_token_for(attempt),
        "now": timezone.now(),
    }
    return TemplateResponse(request, "quizzes/attempt_form.html", context, status=status)


def questions_for_form(questions, *, shown, field_errors=None):
    """The snapshot's questions in order, each with the answers ``shown`` and its error."""
    field_errors = field_errors or {}
    return [
        question_for_form(
            question,
            number=number,
            values=shown.get(str(question["id"]), []),
            error=field_errors.get(str(question["id"])),
        )
        for number, question in enumerate(questions, start=1)
    ]


def question_for_form(question, *, number, values, error):
    """Only what the learner needs to answer: never the key, the feedback or the clause."""
    question_id = str(question["id"])
    field = f"{ANSWER_PREFIX}{question_id}"
    kind = kind_of(question)
    by_item = dict(str(value).partition("=")[::2] for value in values if "=" in str(value))
    # The inputs' ids and states are worked out here rather than in the kinds' templates: a quiz
    # page draws a few hundred inputs, and each lookup, comparison and number the template
    # language would format for them is most of what the page costs to render.
    options = []
    for index, option in enumerate(question["options"]):
        value = by_item.get(option["id"], "")
        options.append(
            {
                "id": option["id"],
                "text": option["text"],
                "checked": option["id"] in values,
                "value": value,
                "field": f"{field}{ITEM_SEPARATOR}{option['id']}",
                "input_id": f"{field}-{index}",
                # One radio per judgement (scenario judgement); the first of the first item
                # carries the question's own id, which the error summary links to.
                "judgements": [
                    {
                        "id": f"{field}-0"
                        if index == position == 0
                        else f"{field}-{index}-{judgement}",
                        "value": judgement,
                        "label": label,
                        "checked": value == judgement,
                    }
                    for position, (judgement, label) in enumerate(getattr(kind, "judgements", ()))
                ],
            }
        )
    return {
        "id": question_id,
        "field": field,
        "type": question["type"],
        "kind": kind,
        "number": number,
        "text": question["text"],
        "options": options,
        "positions": [str(position) for position in range(1, len(options) + 1)],
        "error": error,
    }


def _attempt_result(request, attempt, *, status=200):
    """The result, as much of it as the quiz's review options let the person see now."""
    review = attempt_review(attempt=attempt)
    certificate = getattr(attempt, "certificate", None) if attempt.passed else None
    # Whatever the layer above did with the pass (quizzes.handoffs), it failed for good.
    certificate_failed = (
        attempt.passed and certificate is None and task_failed_for_good(attempt_id=attempt.pk)
    )
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "review": review,
        "rows": review.rows(),
        "standing": review.standing,
        "certificate": certificate,
        "certificate_failed": certificate_failed,
        "retry_at": None if attempt.passed else review.standing.retry_at,
    }
    return TemplateResponse(request, "quizzes/attempt_result.html", context, status=status)
