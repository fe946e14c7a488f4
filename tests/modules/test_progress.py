"""Staff working through a module: in order, leaving and resuming, feedback straight away, and
progress that stays on the revision they started even when the module is republished."""

import datetime
import json

import pytest

from django.utils import timezone

from modules.models import ModuleProgress
from modules.selectors import module_progress_current, module_steps, person_module_progress
from modules.services import (
    ProgressError,
    module_decision_record,
    module_progress_start,
    module_step_complete,
)
from quizzes.services import attempt_submit
from tests.factories import attempt_begin, default_steps, module_page_create


def _step(module, number):
    return f"{module.url}step/{number}/"


def _branching_steps(clause):
    """1 narrative, 2 decision "d1" (choice 1 branches to "d3"), 3 reflection, 4 decision "d2", 5 decision "d3"."""
    narrative, decision, reflection = default_steps(clause=clause)
    d1 = json.loads(json.dumps(decision))
    d1["value"]["choices"][1]["branch_to"] = "d3"
    d2 = json.loads(json.dumps(decision))
    d2["value"].update(key="d2", heading="Second decision")
    d3 = json.loads(json.dumps(decision))
    d3["value"].update(key="d3", heading="Third decision")
    return [narrative, d1, reflection, d2, d3]


@pytest.fixture
def staff_client(people, client_for):
    return client_for(people["staff"])


@pytest.mark.django_db
def test_staff_leave_and_resume_where_they_stopped(people, module, client_for):
    client = client_for(people["staff"])
    client.post(module.url)
    client.post(_step(module, 1), {"continue": "1"})
    client.post(_step(module, 2), {"decide": "1", "choice": "1"})

    # They leave (log out) and come back another day.
    client.logout()
    client = client_for(people["staff"])
    overview = client.get(module.url).content.decode()
    assert "Continue where you stopped" in overview
    response = client.post(module.url)
    assert response.status_code == 302 and response.url == _step(module, 2)
    page = client.get(response.url).content.decode()
    assert "You chose: Agree straight away" in page  # their decision is still there
    assert ModuleProgress.objects.filter(person=people["staff"], module=module).count() == 1


@pytest.mark.django_db
def test_steps_are_worked_through_in_order(people, module, staff_client):
    staff_client.post(module.url)
    response = staff_client.get(_step(module, 3))
    assert response.status_code == 302 and response.url == _step(module, 1)

    response = staff_client.post(_step(module, 3), {"continue": "1"})
    assert response.status_code == 400
    assert "Work through the steps in order." in response.content.decode()
    assert staff_client.get(_step(module, 9)).status_code == 404


@pytest.mark.django_db
def test_a_step_page_before_starting_goes_back_to_the_overview(module, staff_client):
    response = staff_client.get(_step(module, 1))
    assert response.status_code == 302 and response.url == module.url


@pytest.mark.django_db
def test_a_decision_shows_its_feedback_straight_after_choosing(people, module, staff_client):
    staff_client.post(module.url)
    staff_client.post(_step(module, 1), {"continue": "1"})

    response = staff_client.post(_step(module, 2), {"decide": "1", "choice": "0"})

    assert response.status_code == 302 and response.url == _step(module, 2) + "#feedback"
    page = staff_client.get(_step(module, 2)).content.decode()
    assert "This is what the policy expects." in page
    assert "You record consent." in page and "under-16s need a parent" in page
    assert "clause 2.19" in page
    assert (
        'id="feedback"' in page and 'tabindex="-1"' in page
    )  # the fragment moves keyboard focus there


@pytest.mark.django_db
def test_confirming_without_a_choice_shows_an_error_summary_linked_to_the_choices(
    people, module, staff_client
):
    staff_client.post(module.url)
    staff_client.post(_step(module, 1), {"continue": "1"})

    response = staff_client.post(_step(module, 2), {"decide": "1"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Step 2 of 3" in page
    assert 'class="govuk-error-summary"' in page and 'href="#choice-0"' in page
    assert 'id="choice-0"' in page
    assert 'class="govuk-error-message" id="choice-error"' in page
    assert 'aria-describedby="choice-error"' in page
    assert ModuleProgress.objects.get(person=people["staff"]).decisions == {}


@pytest.mark.django_db
def test_continuing_past_a_decision_without_deciding_is_refused(people, module, staff_client):
    staff_client.post(module.url)
    staff_client.post(_step(module, 1), {"continue": "1"})
    response = staff_client.post(_step(module, 2), {"continue": "1"})
    assert response.status_code == 400
    assert "Choose what you would do before you continue." in response.content.decode()
    assert ModuleProgress.objects.get(person=people["staff"]).steps_completed == 1


@pytest.mark.django_db
def test_a_choice_that_is_not_offered_is_refused(people, module, staff_client):
    staff_client.post(module.url)
    staff_client.post(_step(module, 1), {"continue": "1"})
    for bad in ("7", "-1", "two"):
        response = staff_client.post(_step(module, 2), {"decide": "1", "choice": bad})
        assert response.status_code == 400
        assert "Choose one of the options shown." in response.content.decode()
    assert ModuleProgress.objects.get(person=people["staff"]).decisions == {}


@pytest.mark.django_db
def test_the_first_choice_stands(people, module):
    progress = module_progress_start(person=people["staff"], module=module)
    module_step_complete(progress=progress, number=1)
    module_decision_record(progress=progress, number=2, choice_index=1)
    module_decision_record(progress=progress, number=2, choice_index=0)
    progress.refresh_from_db()
    assert list(progress.decisions.values()) == [1]


@pytest.mark.django_db
def test_a_choice_branches_forward_to_its_decision(people, clause):
    module = module_page_create(clause=clause, steps=_branching_steps(clause))
    progress = module_progress_start(person=people["staff"], module=module)
    module_step_complete(progress=progress, number=1)
    module_decision_record(progress=progress, number=2, choice_index=1)

    assert module_step_complete(progress=progress, number=2) == 5
    with pytest.raises(ProgressError):
        module_decision_record(progress=progress, number=6, choice_index=0)
    module_decision_record(progress=progress, number=5, choice_index=0)
    assert module_step_complete(progress=progress, number=5) is None
    progress.refresh_from_db()
    assert progress.steps_finished_at is not None


@pytest.mark.django_db
def test_republishing_a_module_never_moves_the_ground_under_someone_part_way(
    people, clause, staff_client, client_for
):
    module = module_page_create(clause=clause, steps=_branching_steps(clause))
    staff_client.post(module.url)
    staff_client.post(_step(module, 1), {"continue": "1"})
    staff_client.post(_step(module, 2), {"decide": "1", "choice": "0"})
    staff_client.post(_step(module, 2), {"continue": "1"})
    progress = ModuleProgress.objects.get(person=people["staff"])
    started_on = progress.revision_id

    # An author reorders the steps, removes the reflection and the first decision, and republishes.
    old_steps = list(module.steps.raw_data)
    module.steps = json.dumps([old_steps[4], old_steps[3], old_steps[0]])
    module.save_revision().publish()
    module.refresh_from_db()
    assert module.live_revision_id != started_on

    # The person part-way through still sees the module as it was when they started.
    progress.refresh_from_db()
    assert progress.revision_id == started_on
    assert [step.block_type for step in module_steps(progress=progress)] == [
        "narrative",
        "decision",
        "reflection",
        "decision",
        "decision",
    ]
    page = staff_client.get(_step(module, 2)).content.decode()
    assert "Jade asks to use WhatsApp" in page and "You chose: Agree once a parent consents" in page
    assert "Think" in staff_client.get(_step(module, 3)).content.decode()
    assert staff_client.post(_step(module, 3), {"continue": "1"}).url == _step(module, 4)
    staff_client.post(_step(module, 4), {"decide": "1", "choice": "0"})
    assert staff_client.post(_step(module, 4), {"continue": "1"}).url == _step(module, 5)
    staff_client.post(_step(module, 5), {"decide": "1", "choice": "0"})
    response = staff_client.post(_step(module, 5), {"continue": "1"})
    assert response.status_code == 302 and response.url == module.url + "#quiz"
    progress.refresh_from_db()
    assert progress.steps_finished_at is not None and len(progress.decisions) == 3

    assert "5 steps, then a short quiz" in staff_client.get(module.url).content.decode()

    # Someone starting now gets the new version.
    other = module_progress_start(person=people["lead"], module=module)
    assert other.revision_id == module.live_revision_id
    assert [step.value.get("key") for step in module_steps(progress=other)] == ["d3", "d2", None]
    assert (
        "3 steps, then a short quiz" in client_for(people["lead"]).get(module.url).content.decode()
    )


@pytest.mark.django_db
def test_a_module_never_published_cannot_be_started(people, clause):
    from modules.models import ModulePage
    from modules.services import module_index_ensure

    draft = module_index_ensure().add_child(
        instance=ModulePage(
            title="Draft",
            slug="draft",
            summary="Not yet.",
            live=False,
            steps=json.dumps(default_steps(clause=clause)),
        )
    )
    with pytest.raises(ProgressError, match="has not been published yet"):
        module_progress_start(person=people["staff"], module=draft)


@pytest.mark.django_db
def test_the_module_is_complete_only_when_its_quiz_is_passed(people, module, quiz):
    staff = people["staff"]
    progress = module_progress_start(person=staff, module=module)
    module_step_complete(progress=progress, number=1)
    module_decision_record(progress=progress, number=2, choice_index=0)
    module_step_complete(progress=progress, number=2)
    module_step_complete(progress=progress, number=3)
    progress.refresh_from_db()
    assert progress.steps_finished_at is not None and progress.completed_at is None

    failing = attempt_begin(person=staff, quiz=quiz)
    wrong = {
        str(q["id"]): [next(o["id"] for o in q["options"] if not o["correct"])]
        for q in failing.questions
    }
    attempt_submit(attempt=failing, answers=wrong)
    progress.refresh_from_db()
    assert progress.completed_at is None

    passing = attempt_begin(person=staff, quiz=quiz)
    right = {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])]
        for q in passing.questions
    }
    attempt_submit(attempt=passing, answers=right)
    progress.refresh_from_db()
    assert progress.completed_at is not None


@pytest.mark.django_db
def test_starting_again_after_completing_opens_a_new_run_on_the_live_revision(people, module):
    first = module_progress_start(person=people["staff"], module=module)
    assert module_progress_start(person=people["staff"], module=module) == first
    from modules.services import module_progress_complete

    module_progress_complete(person_id=people["staff"].pk, module=module)
    second = module_progress_start(person=people["staff"], module=module)
    assert second.pk != first.pk and second.steps_completed == 0


@pytest.mark.django_db
def test_the_pages_find_the_run_the_services_call_current(people, module):
    """The module pages read the person with their current run's id in one statement of its own
    (``person_module_progress``); it must pick the run ``module_progress_current`` picks: the one
    under way, else the latest finished, else none."""
    person = people["staff"]
    user = person.user

    def found():
        reader_person, progress = person_module_progress(user=user, module=module)
        assert reader_person == person
        return progress

    assert found() is None and module_progress_current(person=person, module=module) is None

    first = module_progress_start(person=person, module=module)
    assert found() == first == module_progress_current(person=person, module=module)

    now = timezone.now()
    runs = ModuleProgress.objects.filter(pk=first.pk)
    runs.update(completed_at=now - datetime.timedelta(days=30))
    second = module_progress_start(person=person, module=module)
    assert second != first
    assert found() == second == module_progress_current(person=person, module=module)

    # Two finished: the one finished last, though started first.
    ModuleProgress.objects.filter(pk=second.pk).update(
        completed_at=now - datetime.timedelta(days=40)
    )
    assert found() == first == module_progress_current(person=person, module=module)
    # Finished at the same moment: the one started last.
    ModuleProgress.objects.filter(pk=second.pk).update(
        completed_at=now - datetime.timedelta(days=30)
    )
    assert found() == second == module_progress_current(person=person, module=module)

    # Under way again, though an older run: under way comes first.
    runs.update(completed_at=None)
    assert found() == first == module_progress_current(person=person, module=module)


@pytest.mark.django_db
def test_an_account_without_a_person_record_has_no_run(module, django_user_model):
    user = django_user_model.objects.create_user(username="no-person", password="x")
    assert person_module_progress(user=user, module=module) == (None, None)
