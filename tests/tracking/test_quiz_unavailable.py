"""A module whose quiz refuses a person's organisation a start (none of its questions, or too few
for a fair attempt, are on the policies that apply to them) is "quiz not available" for them:
never overdue, never a reminder, and the same in the grid, in SQL and on the dashboard. With the
shipped content that is Probation Service staff in the WhatsApp and viewing modules and
Together4Children staff in the privacy and WhatsApp modules."""

import datetime

import pytest

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from certificates.services import certificate_revoke
from lms import roles
from modules.models import ModulePage
from modules.services import content_cache_forget
from people.models import Organisation, Person
from people.selectors import reporting_line
from people.services import person_create
from quizzes.content_import import content_load
from quizzes.selectors import (
    NO_ORGANISATION_MESSAGE,
    NOT_FOR_YOUR_ORGANISATION_MESSAGE,
    quiz_refusals,
)
from tests.factories import (
    OrganisationFactory,
    certificate_make,
    facts_refresh,
    module_steps_finish,
)
from tracking import status as statuses
from tracking.reports import overdue_list, reminders_due
from tracking.selectors import module_status_grid
from tracking.status_sql import cell_statuses

pytestmark = pytest.mark.django_db

SLUGS = [
    "your-personal-use-of-social-media",
    "privacy-and-security-settings",
    "whatsapp-with-children-and-families",
    "viewing-service-users-social-media",
]
OVERDUE, UNAVAILABLE = statuses.OVERDUE, statuses.UNAVAILABLE
EXPECTED = {
    "cafcass": [OVERDUE, OVERDUE, OVERDUE, OVERDUE],
    "hertfordshire": [OVERDUE, OVERDUE, OVERDUE, OVERDUE],
    "probation": [OVERDUE, OVERDUE, UNAVAILABLE, UNAVAILABLE],
    "together4children": [OVERDUE, UNAVAILABLE, UNAVAILABLE, OVERDUE],
}


@pytest.fixture
def shipped(role_groups):
    """The shipped content, published long enough ago that base competence is overdue for
    everyone who started a year ago, and a manager with one report in each organisation."""
    assert content_load()["errors"] == []
    ModulePage.objects.update(first_published_at=timezone.now() - datetime.timedelta(days=200))
    content_cache_forget()
    manager = _person("mo.manager", organisation=None, roles_held=[roles.LINE_MANAGERS])
    reports = {
        organisation.code: _person(f"{organisation.code}.report", organisation, manager=manager)
        for organisation in Organisation.objects.order_by("code")
    }
    modules = [ModulePage.objects.get(slug=slug) for slug in SLUGS]
    return manager, reports, modules


def _person(username, organisation, *, manager=None, roles_held=(roles.STAFF,)):
    return person_create(
        username=username,
        first_name=username.split(".")[0].title(),
        last_name="Report",
        email=f"{username}@example.org",
        roles_held=roles_held,
        line_manager=manager,
        organisation=organisation,
        start_date=timezone.localdate() - datetime.timedelta(days=365),
    )


def _grid_statuses(people, modules):
    return {
        row["person"].pk: [cell.status for cell in row["cells"]]
        for row in module_status_grid(people=people, modules=modules)
    }


def test_the_grid_and_the_sql_say_quiz_not_available_where_the_quiz_refuses_the_organisation(
    shipped,
):
    manager, reports, modules = shipped
    grid = _grid_statuses(list(reports.values()), modules)
    assert {code: grid[person.pk] for code, person in reports.items()} == EXPECTED
    in_sql = cell_statuses(people=reporting_line(manager=manager), modules=modules)
    assert {
        code: [in_sql[(person.pk, module.pk)][0] for module in modules]
        for code, person in reports.items()
    } == EXPECTED
    refused = {
        (module.pk, organisation_id)
        for module in modules
        for organisation_id in Organisation.objects.values_list("pk", flat=True)
        if quiz_refusals().refuses(module_id=module.pk, organisation_id=organisation_id)
    }
    assert len(refused) == 4


def test_no_reminder_or_escalation_for_a_quiz_the_person_cannot_start(shipped):
    _manager, reports, modules = shipped
    due = reminders_due(due_soon_days=7, escalate_after_days=7, already_sent=set())
    slug_of = {module.pk: module.slug for module in modules}
    reminded = {
        code: sorted(
            {slug_of[reminder.module_id] for reminder in due if reminder.person_id == person.pk}
        )
        for code, person in reports.items()
    }
    assert reminded == {
        code: sorted(slug for slug, status in zip(SLUGS, wanted, strict=True) if status == OVERDUE)
        for code, wanted in EXPECTED.items()
    }
    assert {reminder.reason for reminder in due} == {"overdue", "escalation"}
    # Nor a line in the overdue report.
    title_of = {module.title: module.slug for module in modules}
    names = {person.user.get_full_name() for person in reports.values()}
    in_report = {
        (line.name, title_of[line.module]) for line in overdue_list() if line.name in names
    }
    assert in_report == {
        (person.user.get_full_name(), slug)
        for code, person in reports.items()
        for slug, status in zip(SLUGS, EXPECTED[code], strict=True)
        if status == OVERDUE
    }


@override_settings(LMS_HOME_ORGANISATION="together4children")
def test_someone_recorded_without_an_organisation_is_refused_as_the_home_organisations_staff(
    shipped,
):
    _manager, _reports, modules = shipped
    nobody = _person("no.organisation", None)
    assert _grid_statuses([nobody], modules)[nobody.pk] == EXPECTED["together4children"]


def test_a_new_home_organisation_is_not_answered_from_refusals_cached_for_the_old_one(
    shipped, settings
):
    """The home organisation is a setting, not content: a deploy that changes it starts new
    processes against the same shared cache, and the content has not changed. Someone recorded
    without an organisation is judged as the new home organisation's staff at once, and as the
    old one's again if the setting goes back."""
    _manager, _reports, modules = shipped
    nobody = _person("no.organisation", None)
    settings.LMS_HOME_ORGANISATION = "cafcass"
    assert _grid_statuses([nobody], modules)[nobody.pk] == EXPECTED["cafcass"]
    settings.LMS_HOME_ORGANISATION = "together4children"
    assert _grid_statuses([nobody], modules)[nobody.pk] == EXPECTED["together4children"]
    in_sql = cell_statuses(people=Person.objects.filter(pk=nobody.pk), modules=modules)
    assert [in_sql[(nobody.pk, module.pk)][0] for module in modules] == EXPECTED[
        "together4children"
    ]
    settings.LMS_HOME_ORGANISATION = "CAFCASS"  # the code is matched without regard to case
    assert _grid_statuses([nobody], modules)[nobody.pk] == EXPECTED["cafcass"]


def test_a_certificate_that_would_need_a_refused_pass_again_is_never_overdue(shipped):
    """A revoked or expired certificate asks for a new pass; where the quiz refuses the holder's
    organisation (they moved organisation, or its policy stopped covering the module) that is
    "not available", with no reminder, no escalation and no overdue line. The same facts for
    someone the quiz accepts stay overdue."""
    manager, reports, modules = shipped
    auditor = _person("ada.auditor", None, roles_held=[roles.AUDITORS])
    today = timezone.localdate()
    whatsapp, viewing = modules[2], modules[3]
    for code in ("probation", "cafcass"):
        person = reports[code]
        certificate = certificate_make(
            person=person, module=whatsapp, expires_on=today + datetime.timedelta(days=200)
        )
        certificate_revoke(
            certificate=certificate,
            by=auditor.user,
            reason="Issued in error",
            category="issued_in_error",
        )
        certificate_make(
            person=person, module=viewing, expires_on=today - datetime.timedelta(days=3)
        )
        facts_refresh(person=person, module=viewing)
    # A certificate that still stands counts as ever, but no reminder asks its holder to take
    # a module whose quiz refuses them.
    privacy = modules[1]
    for code in ("together4children", "cafcass"):
        certificate_make(
            person=reports[code], module=privacy, expires_on=today + datetime.timedelta(days=5)
        )
        facts_refresh(person=reports[code], module=privacy)
    probation, cafcass = reports["probation"], reports["cafcass"]
    grid = {
        row["person"].pk: row["cells"]
        for row in module_status_grid(people=[probation, cafcass], modules=modules)
    }
    revoked_on = f"{today.day} {today:%B %Y}"
    expired_on = today - datetime.timedelta(days=3)
    assert [(cell.status, cell.label) for cell in grid[probation.pk][2:]] == [
        (
            UNAVAILABLE,
            f"Quiz not available to this organisation (certificate revoked on {revoked_on})",
        ),
        (
            UNAVAILABLE,
            "Quiz not available to this organisation "
            f"(certificate expired on {expired_on.day} {expired_on:%B %Y})",
        ),
    ]
    assert [cell.status for cell in grid[cafcass.pk][2:]] == [OVERDUE, statuses.EXPIRED]
    in_sql = cell_statuses(people=reporting_line(manager=manager), modules=modules)
    assert [in_sql[(probation.pk, module.pk)] for module in (whatsapp, viewing)] == [
        (UNAVAILABLE, None),
        (UNAVAILABLE, None),
    ]
    assert [in_sql[(cafcass.pk, module.pk)][0] for module in (whatsapp, viewing)] == [
        OVERDUE,
        statuses.EXPIRED,
    ]
    due = reminders_due(due_soon_days=7, escalate_after_days=7, already_sent=set())
    reminded = {(reminder.person_id, reminder.module_id) for reminder in due}
    assert (probation.pk, whatsapp.pk) not in reminded
    assert (probation.pk, viewing.pk) not in reminded
    assert {(cafcass.pk, whatsapp.pk), (cafcass.pk, viewing.pk)} <= reminded
    expiring = {
        reminder.person_id
        for reminder in due
        if reminder.reason == "expiring" and reminder.module_id == privacy.pk
    }
    assert expiring == {cafcass.pk}
    together = reports["together4children"]
    assert [
        cell.status for cell in module_status_grid(people=[together], modules=[privacy])[0]["cells"]
    ] == [statuses.EXPIRING_SOON]
    overdue_names = {(line.name, line.module) for line in overdue_list()}
    assert (probation.user.get_full_name(), whatsapp.title) not in overdue_names
    assert (probation.user.get_full_name(), viewing.title) not in overdue_names
    assert (cafcass.user.get_full_name(), viewing.title) in overdue_names


def test_the_dashboard_shows_it_and_filters_by_it(shipped, client):
    manager, reports, _modules = shipped
    client.force_login(manager.user)
    page = client.get(reverse("team_dashboard")).content.decode()
    assert page.count("Quiz not available to this organisation") == 4
    filtered = client.get(reverse("team_dashboard"), {"status": UNAVAILABLE}).content.decode()
    shown = {code for code, person in reports.items() if person.user.get_full_name() in filtered}
    assert shown == {"probation", "together4children"}


def test_a_policy_that_comes_to_apply_makes_the_quiz_available_once_the_content_changes(shipped):
    _manager, reports, modules = shipped
    probation = reports["probation"]
    whatsapp = modules[2]
    assert quiz_refusals().refuses(module_id=whatsapp.pk, organisation_id=probation.organisation_id)
    # The Cafcass documents now apply to Probation staff too: the WhatsApp quiz's questions rest
    # on them. Every service that changes the library forgets the cached content.
    for document in OrganisationFactory(code="cafcass").policy_documents.all():
        document.audience.add(probation.organisation)
        document.save()
    content_cache_forget()
    assert not quiz_refusals().refuses(
        module_id=whatsapp.pk, organisation_id=probation.organisation_id
    )
    assert _grid_statuses([probation], modules)[probation.pk][2] == OVERDUE


def test_the_module_page_says_so_before_the_steps_and_offers_no_quiz_after_them(shipped, client):
    _manager, reports, modules = shipped
    privacy = modules[1]
    client.force_login(reports["together4children"].user)
    before = client.get(privacy.url).content.decode()
    assert "You can work through this module, but not take its quiz yet." in before
    assert NOT_FOR_YOUR_ORGANISATION_MESSAGE in before
    module_steps_finish(person=reports["together4children"], module=privacy)
    after = client.get(privacy.url).content.decode()
    assert NOT_FOR_YOUR_ORGANISATION_MESSAGE in after
    assert "Take the quiz" not in after
    # Their own organisation's quizzes are offered as ever.
    personal_use = modules[0]
    module_steps_finish(person=reports["together4children"], module=personal_use)
    offered = client.get(personal_use.url).content.decode()
    assert "Take the quiz" in offered and NOT_FOR_YOUR_ORGANISATION_MESSAGE not in offered
    client.force_login(reports["cafcass"].user)
    module_steps_finish(person=reports["cafcass"], module=privacy)
    assert "Take the quiz" in client.get(privacy.url).content.decode()


def test_someone_whose_organisation_is_not_known_is_told_on_the_module_page(shipped, client):
    _manager, _reports, modules = shipped
    nobody = _person("no.organisation", None)
    client.force_login(nobody.user)
    page = client.get(modules[0].url).content.decode()
    assert NO_ORGANISATION_MESSAGE in page
