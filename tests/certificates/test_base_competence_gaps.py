"""Who can never be issued base competence: staff whose organisation's policies a
base-competence module's quiz does not ask about (or too little for a fair attempt) are refused
its quiz, so L&D is told on the admin home, by organisation and module, with the reason."""

import datetime

import pytest

from django.test import override_settings
from django.urls import reverse

from certificates.home_panels import base_competence_gap_panel_for
from certificates.selectors import base_competence_gaps
from modules.models import ModulePage
from people.models import Organisation
from quizzes.models import Quiz
from quizzes.services import AttemptError
from tests.factories import PersonFactory, attempt_begin

NONE_APPLY = "None of its quiz's questions is on a policy that applies to them."


def _gaps_by_name():
    return {
        gap.organisation.code: [(module.slug, reason) for module, reason in gap.modules]
        for gap in base_competence_gaps()
    }


@pytest.mark.django_db
def test_the_shipped_content_leaves_probation_and_together4children_short_of_base_competence(
    shipped,
):
    assert shipped["errors"] == []
    assert _gaps_by_name() == {
        "probation": [
            ("whatsapp-with-children-and-families", NONE_APPLY),
            ("viewing-service-users-social-media", NONE_APPLY),
        ],
        "together4children": [
            (
                "privacy-and-security-settings",
                "Only 2 questions per attempt can be drawn from the 2 that apply, fewer than "
                "half of the quiz's 12.",
            ),
            ("whatsapp-with-children-and-families", NONE_APPLY),
        ],
    }


@pytest.mark.django_db
def test_a_module_is_listed_exactly_when_its_quiz_refuses_that_organisations_staff_a_start(shipped):
    assert shipped["errors"] == []
    gaps = {
        (gap.organisation.pk, module.pk)
        for gap in base_competence_gaps()
        for module, _ in gap.modules
    }
    for organisation in Organisation.objects.order_by("code"):
        person = PersonFactory(organisation=organisation)
        for quiz in Quiz.objects.select_related("module").order_by("pk"):
            try:
                attempt_begin(person=person, quiz=quiz)
                refused = False
            except AttemptError:
                refused = True
            assert refused == ((organisation.pk, quiz.module_id) in gaps), (
                organisation.code,
                quiz.title,
            )


@pytest.mark.django_db
@override_settings(LMS_HOME_ORGANISATION="together4children")
def test_staff_are_counted_while_they_work_there_those_without_an_organisation_at_home(shipped):
    assert shipped["errors"] == []
    probation = Organisation.objects.get(code="probation")
    PersonFactory(organisation=probation)
    PersonFactory(organisation=probation, left_on=datetime.date(2026, 1, 31))
    PersonFactory(organisation=None)
    staff = {gap.organisation.code: gap.staff for gap in base_competence_gaps()}
    assert staff == {"probation": 1, "together4children": 1}


@pytest.mark.django_db
def test_a_base_competence_module_without_a_published_quiz_is_out_of_everyones_reach(shipped):
    assert shipped["errors"] == []
    module = ModulePage.objects.get(slug="your-personal-use-of-social-media")
    Quiz.objects.filter(module=module).update(live=False)
    gaps = base_competence_gaps()
    assert {gap.organisation.code for gap in gaps} == set(
        Organisation.objects.values_list("code", flat=True)
    )
    for gap in gaps:
        assert (module.pk, "It has no published quiz.") in [
            (listed.pk, reason) for listed, reason in gap.modules
        ]
    # A module that is not part of base competence is not needed for it.
    ModulePage.objects.filter(pk=module.pk).update(base_competence=False)
    assert "your-personal-use-of-social-media" not in {
        slug for listed in _gaps_by_name().values() for slug, _ in listed
    }


@pytest.mark.django_db
def test_authors_see_the_gaps_on_the_admin_home_and_auditors_do_not(shipped, people, client_for):
    assert shipped["errors"] == []
    home = client_for(people["author"]).get(reverse("wagtailadmin_home")).content.decode()
    assert "Staff who cannot reach base competence" in home
    assert "Probation Service" in home and "Together4Children" in home
    assert "Only 2 questions per attempt can be drawn from the 2 that apply" in home
    assert base_competence_gap_panel_for(people["auditor"].user) is None
    auditor_home = client_for(people["auditor"]).get(reverse("wagtailadmin_home"))
    assert "Staff who cannot reach base competence" not in auditor_home.content.decode()


@pytest.mark.django_db
def test_no_panel_when_every_organisation_can_reach_base_competence(shipped, people):
    assert shipped["errors"] == []
    ModulePage.objects.update(base_competence=False)
    assert base_competence_gaps() == []
    assert base_competence_gap_panel_for(people["author"].user) is None
