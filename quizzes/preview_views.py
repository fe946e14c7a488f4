"""The author's preview of a quiz (``quizzes.previews``): the quiz page a learner gets, drawn for
an organisation the author chooses, then the result with the whole answer key. Nothing is
recorded; the questions drawn wait in the author's session until the answers come back.

Only those who may edit or review quizzes open it (``quizzes.previews.quiz_preview_permitted``:
L&D authors, L&D reviewers and administrators); to anyone else it does not exist (404), as the learner's pages
answer for someone else's attempt. It shows the answer key, so it is never cached."""

import secrets

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache

from people.models import Organisation
from people.selectors import person_organisation

from .models import Quiz, Review
from .previews import (
    preview_organisations,
    quiz_as_edited,
    quiz_preview_draw,
    quiz_preview_permitted,
    quiz_preview_score,
)
from .question_inputs import question_fieldsets_html
from .selectors import attempt_result_rows
from .services import AttemptError
from .views import ANSWER_PREFIX, answers_from_post, questions_for_form

SESSION_KEY = "quiz_previews"
# Enough for a few tabs at once, few enough to keep the session small.
PREVIEWS_KEPT = 3
PREVIEW_FIELD = "preview"
ORGANISATION_FIELD = "organisation"
EXPECTED_FIELDS = {"csrfmiddlewaretoken", PREVIEW_FIELD}


@login_required
@never_cache
def quiz_preview(request, quiz_id):
    if not quiz_preview_permitted(user=request.user):
        raise Http404
    quiz = get_object_or_404(Quiz.objects.select_related("module"), pk=quiz_id)
    if request.method == "POST":
        return _preview_post(request, quiz)
    choices = list(preview_organisations())
    organisation = _organisation_chosen(request, choices)
    preview = quiz_preview_draw(quiz=quiz, organisation=organisation)
    preview_id = _remember(request, quiz=quiz, preview=preview) if preview.questions else ""
    return _preview_form(
        request,
        quiz=preview.quiz,
        organisation=organisation,
        choices=choices,
        questions=preview.questions,
        preview_id=preview_id,
        shown={},
        problems=preview.problems,
        notes=preview.notes,
    )


def _organisation_chosen(request, choices):
    """The organisation asked for, else the author's own (or the home organisation), else the
    first that any policy applies to."""
    by_id = {str(organisation.pk): organisation for organisation in choices}
    asked = request.GET.get(ORGANISATION_FIELD)
    if asked in by_id:
        return by_id[asked]
    own = person_organisation(person=getattr(request.user, "person", None))
    if own is not None:
        if str(own.pk) not in by_id:
            choices.insert(0, own)
        return own
    return choices[0] if choices else None


def _remember(request, *, quiz, preview):
    previews = request.session.get(SESSION_KEY, {})
    preview_id = secrets.token_urlsafe(12)
    previews[preview_id] = {
        "quiz": quiz.pk,
        "organisation": preview.organisation.pk if preview.organisation else None,
        "pass_mark": preview.quiz.pass_mark,
        "questions": preview.questions,
    }
    request.session[SESSION_KEY] = dict(list(previews.items())[-PREVIEWS_KEPT:])
    return preview_id


def _preview_post(request, quiz):
    remembered = request.session.get(SESSION_KEY, {}).get(request.POST.get(PREVIEW_FIELD, ""))
    if remembered is None or remembered["quiz"] != quiz.pk:
        return _preview_gone(request, quiz)
    edited = quiz_as_edited(quiz=quiz)
    organisation = Organisation.objects.filter(pk=remembered["organisation"]).first()
    form = {
        "quiz": edited,
        "organisation": organisation,
        "choices": None,
        "questions": remembered["questions"],
        "preview_id": request.POST[PREVIEW_FIELD],
    }
    unexpected = [
        key
        for key in request.POST
        if key not in EXPECTED_FIELDS and not key.startswith(ANSWER_PREFIX)
    ]
    answers = answers_from_post(request.POST)
    if unexpected:
        return _preview_form(
            request,
            **form,
            shown=answers,
            status=400,
            error="The form contained fields it should not. Please check your answers and try again.",
        )
    try:
        result = quiz_preview_score(
            quiz=edited,
            questions=remembered["questions"],
            answers=answers,
            pass_mark=remembered["pass_mark"],
        )
    except AttemptError as error:
        return _preview_form(
            request,
            **form,
            shown=answers,
            status=400,
            error=error.message,
            field_errors=error.errors,
        )
    context = {
        "quiz": edited,
        "attempt": result.attempt,
        "organisation": organisation,
        "rows": attempt_result_rows(attempt=result.attempt),
        "review_after_pass": Review(edited.review_after_pass).label,
        "review_after_failure": Review(edited.review_after_failure).label,
        **_links(quiz, organisation),
    }
    return TemplateResponse(request, "quizzes/preview_result.html", context)


def _preview_form(
    request,
    *,
    quiz,
    organisation,
    choices,
    questions,
    preview_id,
    shown,
    problems=(),
    notes=(),
    error=None,
    field_errors=None,
    status=200,
):
    questions = questions_for_form(questions, shown=shown, field_errors=field_errors)
    context = {
        "quiz": quiz,
        "organisation": organisation,
        "choices": choices,
        "questions": questions,
        "questions_html": question_fieldsets_html(questions),
        "preview_id": preview_id,
        "problems": problems,
        "notes": notes,
        "error": error,
        **_links(quiz, organisation),
    }
    return TemplateResponse(request, "quizzes/preview_form.html", context, status=status)


def _preview_gone(request, quiz):
    context = {"quiz": quiz, **_links(quiz, None)}
    return TemplateResponse(request, "quizzes/preview_gone.html", context, status=400)


def _links(quiz, organisation):
    again = reverse("quizzes:preview", args=[quiz.pk])
    if organisation is not None:
        again += f"?{ORGANISATION_FIELD}={organisation.pk}"
    return {
        "preview_again_url": again,
        "edit_url": reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk]),
    }
