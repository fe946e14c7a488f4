"""Staff working through a module. Called from ModulePage's routes."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from wagtail import views as wagtail_views

from .selectors import (
    documents_applying_to,
    module_quiz_offered,
    module_step_count,
    module_steps,
    page_route_cached,
    person_module_progress,
    progress_steps_done,
)
from .services import (
    ProgressError,
    module_decision_record,
    module_progress_start,
    module_step_complete,
)


def page_serve(request, path):
    """Wagtail's page serving, with the module pages' routes from the shared cache: everything
    after routing (Wagtail's hooks, the page's own checks and views) runs as ever."""
    route = page_route_cached(request=request, path=path)
    if route is not None:
        request._wagtail_route_for_request = route  # what Page.route_for_request reads first
    return wagtail_views.serve(request, path)


def module_overview(request, *, page):
    person, progress = _person_and_progress(request, page)
    if request.method == "POST":
        try:
            progress = module_progress_start(person=person, module=page)
        except ProgressError as error:
            messages.error(request, str(error))
            return redirect(page.url)
        resume_at = min(progress.steps_completed + 1, len(module_steps(progress=progress)))
        return redirect(_step_url(page, resume_at))
    quiz, refusals = module_quiz_offered(module=page)
    # Someone part-way through sees the step count of the version they started on.
    under_way = progress is not None and progress.completed_at is None
    step_count = len(module_steps(progress=progress)) if under_way else module_step_count(page=page)
    # The same rule quizzes.services.attempt_start enforces: the button is offered only when a start succeeds.
    steps_done = progress_steps_done(progress=progress)
    # Said before the learner works through the steps, not only when the quiz start refuses.
    quiz_refusal = refusals.get(person.organisation_id)
    return TemplateResponse(
        request,
        "modules/module_page.html",
        {
            "page": page,
            "self": page,
            "progress": progress,
            "quiz": quiz,
            "step_count": step_count,
            "steps_done": steps_done,
            "quiz_refusal": quiz_refusal,
            "test_out": quiz is not None
            and quiz.can_take_without_module
            and not steps_done
            and not quiz_refusal,
        },
    )


def module_step(request, *, page, number):
    person, progress = _person_and_progress(request, page)
    if progress is None:
        return redirect(page.url)
    steps = module_steps(progress=progress)
    if not 1 <= number <= len(steps):
        raise Http404
    error = None
    if request.method == "POST":
        try:
            if "decide" in request.POST or "choice" in request.POST:
                # No radio ticked sends no "choice" at all: that is an error to show, not a "continue".
                module_decision_record(
                    progress=progress, number=number, choice_index=_int(request.POST.get("choice"))
                )
                return redirect(_step_url(page, number) + "#feedback")
            next_number = module_step_complete(progress=progress, number=number)
        except ProgressError as problem:
            error = str(problem)
        else:
            if next_number is None:
                return redirect(page.url + "#quiz")
            return redirect(_step_url(page, next_number))
    elif number > progress.steps_completed + 1:
        return redirect(_step_url(page, progress.steps_completed + 1))
    step = steps[number - 1]
    chosen_index = progress.decisions.get(step.id)
    context = {
        "page": page,
        "self": page,
        "progress": progress,
        "step": step,
        "number": number,
        "step_count": len(steps),
        "chosen_index": chosen_index,
        "chosen": step.value["choices"][chosen_index] if chosen_index is not None else None,
        "error": error,
        "previous_url": _step_url(page, number - 1) if number > 1 else page.url,
        # Whose policy applies: a citation of another organisation's document says so.
        "own_document_ids": documents_applying_to(person=person),
    }
    return TemplateResponse(
        request, "modules/module_step.html", context, status=400 if error else 200
    )


def module_preview(request, *, page):
    """What an author sees in Wagtail's preview: the overview, then every step in order, with each
    decision's choices laid out and the consequence, feedback and clause of every one of them."""
    steps = list(page.steps)
    decision_numbers = {
        step.value["key"]: number
        for number, step in enumerate(steps, start=1)
        if step.block_type == "decision"
    }
    return TemplateResponse(
        request,
        "modules/module_preview.html",
        {
            "page": page,
            "self": page,
            "steps": [
                {
                    "number": number,
                    "step": step,
                    "choices": _preview_choices(step, decision_numbers),
                }
                for number, step in enumerate(steps, start=1)
            ],
            "step_count": len(steps),
            "quiz": getattr(page, "quiz", None) if page.pk else None,
        },
    )


def _preview_choices(step, decision_numbers):
    if step.block_type != "decision":
        return []
    return [
        {"choice": choice, "branch_number": decision_numbers.get(choice["branch_to"])}
        for choice in step.value["choices"]
    ]


def _person_and_progress(request, page):
    """The learner and their run through the module, as lms.access.current_person would have it:
    an account without a person record gets a 404."""
    person, progress = person_module_progress(user=request.user, module=page)
    if person is None:
        raise Http404("No learner record for this account.")
    return person, progress


def _step_url(page, number):
    return page.url + page.reverse_subpage("step", kwargs={"number": number})


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
