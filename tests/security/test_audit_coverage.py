"""Every sensitive action writes an audit event. The table names each action and how a person
triggers it through the product (the real view, as the person who may do it); a trigger that
writes no event of its action fails, and so does an action of the trail that has no row here."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from lms import audit, roles
from lms.models import AuditEvent
from modules.models import ClauseChange
from modules.services import policy_clause_revise
from people.sso import sso_roles_sync
from quizzes.models import Question
from tests.conftest import PASSWORD
from tracking.models import Assignment
from tracking.services import assignment_create

pytestmark = pytest.mark.django_db

HR_FILE = (
    "employee_number,first_name,last_name,email,team,job_title,line_manager_employee_number,"
    "start_date\nNEW-1,Nia,New,nia.new@example.org,Family court team,Adviser,,2026-01-05\n"
)


@dataclass(frozen=True)
class Trigger:
    action: str
    run: Callable  # (world, client) -> None; the client is signed out when it starts
    actor: str | None  # key of world["people"] or "admin" expected as the actor; None: nobody


def _user(world, who):
    if who == "admin":
        return world["admin"]
    return (world["people"].get(who) or world[who]).user


def _as(world, client, who):
    client.force_login(_user(world, who))
    return client


def _get_ok(who, url):
    def run(world, client):
        response = _as(world, client, who).get(url(world) if callable(url) else url)
        assert response.status_code == 200, response.status_code
        if response.streaming:
            b"".join(response.streaming_content)

    return run


def _sign_in(password):
    def run(world, client):
        client.post(reverse("login"), {"username": "sam.staff", "password": password})

    return run


def _hr_import(world, client):
    admin = _as(world, client, "admin")
    preview = admin.post(
        reverse("lms_people_import"),
        {"file": SimpleUploadedFile("people.csv", HR_FILE.encode(), "text/csv")},
    )
    admin.post(reverse("lms_people_import"), {"digest": preview.context["plan"].digest})


def _assignment_data(world, due_on):
    return {
        "module": world["module"].pk,
        "audience": "everyone",
        "team": "",
        "person": "",
        "due_on": due_on,
        "due_within_days": "",
        "assigned_on": "2026-01-01",
    }


def _assignment_add(world, client):
    _as(world, client, "author").post(
        reverse("wagtailsnippets_lms_assignment:add"), _assignment_data(world, "2026-12-01")
    )


def _assignment_edit(world, client):
    assignment = world["assignment"]
    response = _as(world, client, "author").post(
        reverse("wagtailsnippets_lms_assignment:edit", args=[assignment.pk]),
        _assignment_data(world, "2027-01-15"),
    )
    assert response.status_code == 302


def _assignment_delete(world, client):
    assignment = world["assignment"]
    _as(world, client, "author").post(
        reverse("wagtailsnippets_lms_assignment:delete", args=[assignment.pk])
    )
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def _roles_in_admin(world, client):
    user = world["people"]["staff"].user
    auditors = Group.objects.get(name=roles.AUDITORS)
    response = _as(world, client, "admin").post(
        reverse("wagtailusers_users:edit", args=[user.pk]),
        {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_active": "on",
            "groups": [group.pk for group in user.groups.all()] + [auditors.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert user.groups.filter(name=roles.AUDITORS).exists()


def _roles_in_bulk(world, client):
    user = world["people"]["staff"].user
    auditors = Group.objects.get(name=roles.AUDITORS)
    url = reverse("wagtail_bulk_action", args=["auth", "user", "assign_role"])
    response = _as(world, client, "admin").post(f"{url}?id={user.pk}", {"role": auditors.pk})
    assert response.status_code == 302
    assert user.groups.filter(name=roles.AUDITORS).exists()


def _unpublish_pages_in_bulk(world, client):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])
    _as(world, client, "admin").post(f"{url}?id={world['module'].pk}", {})
    world["module"].refresh_from_db()
    assert not world["module"].live


def _roles_from_sso(world, client):
    with override_settings(ENTRA_GROUP_ROLES={"auditors-group": roles.AUDITORS}):
        sso_roles_sync(user=world["people"]["staff"].user, claims={"groups": ["auditors-group"]})


def _unpublish_page(world, client):
    _as(world, client, "admin").post(
        reverse("wagtailadmin_pages:unpublish", args=[world["module"].pk])
    )
    world["module"].refresh_from_db()
    assert not world["module"].live


def _unpublish_clause(world, client):
    clause = world["clause"]
    _as(world, client, "admin").post(
        reverse("wagtailsnippets_modules_policyclause:unpublish", args=[clause.pk])
    )
    clause.refresh_from_db()
    assert not clause.live


def _clause_revise(change):
    def run(world, client):
        clause = world["clause"]
        response = _as(world, client, "admin").post(
            reverse("wagtailsnippets_modules_policyclause:revise", args=[clause.pk]),
            {"change": change, "heading": clause.heading, "summary": "Reworded."},
        )
        assert response.status_code == 302

    return run


def _clause_citations_move(world, client):
    clause = world["clause"]
    new = policy_clause_revise(
        clause=clause,
        heading=clause.heading,
        summary="A new rule.",
        user=world["admin"],
        change=ClauseChange.CHANGE,
    )
    response = _as(world, client, "author").post(
        reverse("wagtailsnippets_modules_policyclause:citations", args=[clause.pk]),
        {"to": new.pk, "questions": list(Question.objects.values_list("pk", flat=True))},
    )
    assert response.status_code == 302


def _policy_version_raise(world, client):
    clause = world["clause"]
    response = _as(world, client, "admin").post(
        reverse("wagtailsnippets_modules_policydocument:raise_version", args=[clause.document_id]),
        {
            "version": "9.0",
            f"clause_{clause.pk}_change": "correction",
            f"clause_{clause.pk}_heading": clause.heading,
            f"clause_{clause.pk}_summary": clause.summary,
        },
    )
    assert response.status_code == 302


def _revoke(world, client):
    _as(world, client, "auditor").post(
        reverse("certificates:auditor_revoke", args=[world["certificate"].serial]),
        {"reason": "Issued in error: a test of the audit trail.", "category": "issued_in_error"},
    )


SENSITIVE = {
    "sign in with a password": Trigger(audit.SIGNED_IN, _sign_in(PASSWORD), "staff"),
    "fail to sign in": Trigger(audit.SIGN_IN_FAILED, _sign_in("wrong"), None),
    "manager exports the dashboard as CSV": Trigger(
        audit.LIST_EXPORTED,
        _get_ok("manager", reverse("team_dashboard") + "?export=csv"),
        "manager",
    ),
    "manager exports the dashboard as XLSX": Trigger(
        audit.LIST_EXPORTED,
        _get_ok("manager", reverse("team_dashboard") + "?export=xlsx"),
        "manager",
    ),
    "auditor exports the completion report": Trigger(
        audit.LIST_EXPORTED,
        _get_ok("auditor", reverse("lms_report_completion") + "?export=csv"),
        "auditor",
    ),
    "auditor exports the overdue report as XLSX": Trigger(
        audit.LIST_EXPORTED,
        _get_ok("auditor", reverse("lms_report_overdue") + "?export=xlsx"),
        "auditor",
    ),
    "auditor exports the expiring report": Trigger(
        audit.LIST_EXPORTED,
        _get_ok("auditor", reverse("lms_report_expiring") + "?export=csv"),
        "auditor",
    ),
    "admin exports the failed tasks report": Trigger(
        audit.LIST_EXPORTED,
        _get_ok("admin", reverse("lms_report_failed-tasks") + "?export=csv"),
        "admin",
    ),
    "admin exports Wagtail's site history": Trigger(
        audit.LIST_EXPORTED,
        _get_ok("admin", reverse("wagtailadmin_reports:site_history") + "?export=csv"),
        "admin",
    ),
    "auditor exports the audit trail": Trigger(
        audit.LIST_EXPORTED, _get_ok("auditor", reverse("audit_trail") + "?export=csv"), "auditor"
    ),
    "auditor exports the certificates list": Trigger(
        audit.LIST_EXPORTED,
        _get_ok("auditor", reverse("certificates:auditor_export", args=["xlsx"])),
        "auditor",
    ),
    "auditor downloads certificates as a ZIP": Trigger(
        audit.CERTIFICATE_BULK_DOWNLOADED,
        _get_ok("auditor", reverse("certificates:auditor_zip")),
        "auditor",
    ),
    "auditor exports the quiz list": Trigger(
        audit.LIST_EXPORTED,
        _get_ok("auditor", reverse("quizzes:audit_quiz_list") + "?format=csv"),
        "auditor",
    ),
    "auditor exports a quiz's attempts": Trigger(
        audit.LIST_EXPORTED,
        _get_ok(
            "auditor", lambda w: reverse("quizzes:audit_quiz_attempts_csv", args=[w["quiz"].pk])
        ),
        "auditor",
    ),
    "auditor exports an attempt's evidence as CSV": Trigger(
        audit.LIST_EXPORTED,
        _get_ok("auditor", lambda w: reverse("quizzes:audit_attempt_csv", args=[w["attempt"].pk])),
        "auditor",
    ),
    "auditor downloads an attempt's evidence PDF": Trigger(
        audit.LIST_EXPORTED,
        _get_ok("auditor", lambda w: reverse("quizzes:audit_attempt_pdf", args=[w["attempt"].pk])),
        "auditor",
    ),
    "a person downloads their certificate": Trigger(
        audit.CERTIFICATE_DOWNLOADED,
        _get_ok(
            "passed", lambda w: reverse("certificates:download", args=[w["certificate"].serial])
        ),
        "passed",
    ),
    "a person downloads their own data": Trigger(
        audit.PERSONAL_DATA_EXPORTED, _get_ok("staff", reverse("my_data_download")), "staff"
    ),
    "admin publishes a correction of a clause": Trigger(
        audit.CLAUSE_CORRECTED, _clause_revise("correction"), "admin"
    ),
    "admin publishes a change of a clause's meaning": Trigger(
        audit.CLAUSE_CHANGED, _clause_revise("change"), "admin"
    ),
    "author moves citations to a new clause version": Trigger(
        audit.CLAUSE_CITATIONS_MOVED, _clause_citations_move, "author"
    ),
    "admin raises a policy document's version": Trigger(
        audit.POLICY_VERSION_RAISED, _policy_version_raise, "admin"
    ),
    "auditor revokes a certificate": Trigger(audit.CERTIFICATE_REVOKED, _revoke, "auditor"),
    "admin imports people": Trigger(audit.PEOPLE_IMPORTED, _hr_import, "admin"),
    "author creates an assignment": Trigger(audit.ASSIGNMENT_CREATED, _assignment_add, "author"),
    "author changes an assignment": Trigger(audit.ASSIGNMENT_EDITED, _assignment_edit, "author"),
    "author deletes an assignment": Trigger(audit.ASSIGNMENT_DELETED, _assignment_delete, "author"),
    "admin changes someone's roles": Trigger(audit.ROLES_CHANGED, _roles_in_admin, "admin"),
    "admin assigns a role in bulk": Trigger(audit.ROLES_CHANGED, _roles_in_bulk, "admin"),
    "single sign-on changes someone's roles": Trigger(audit.ROLES_CHANGED, _roles_from_sso, None),
    # Four eyes: authors and reviewers hold no publish right, so only an administrator unpublishes.
    "admin unpublishes a module": Trigger(audit.CONTENT_UNPUBLISHED, _unpublish_page, "admin"),
    "admin unpublishes modules in bulk": Trigger(
        audit.CONTENT_UNPUBLISHED, _unpublish_pages_in_bulk, "admin"
    ),
    "admin unpublishes a policy clause": Trigger(
        audit.CONTENT_UNPUBLISHED, _unpublish_clause, "admin"
    ),
}

# Actions written by background work or covered by their own tests, named so that a new action
# cannot be added to the trail without a row above or a reason here.
COVERED_ELSEWHERE = {
    audit.CERTIFICATE_ISSUED: "the certificate task (tests/lms/test_audit_trail.py)",
    audit.ATTEMPT_RESET: "an early retry allowed (tests/quizzes/test_retry_allowance.py)",
    audit.CONTENT_PUBLISHED: "publishing (tests/lms/test_audit_trail.py)",
    audit.PERSON_ANONYMISED: "the retention job (tests/tracking/test_personal_data_and_retention.py)",
    audit.API_USED: "every scope and endpoint with a token (tests/api/test_api_access.py)",
    audit.API_CLIENT_CREATED: "the API clients admin screen (tests/api/test_admin_clients.py)",
    audit.API_CLIENT_REVOKED: "the API clients admin screen (tests/api/test_admin_clients.py)",
    audit.QUESTIONS_IMPORTED: "a Moodle bank imported (tests/quizzes/test_question_banks.py)",
    audit.QUESTIONS_EXPORTED: "a Moodle bank exported (tests/quizzes/test_question_banks.py)",
}


def test_every_action_of_the_trail_has_a_trigger_here_or_a_reason():
    in_table = {trigger.action for trigger in SENSITIVE.values()}
    assert set(audit.ACTIONS) == in_table | set(COVERED_ELSEWHERE)
    assert not in_table & set(COVERED_ELSEWHERE)


@pytest.fixture
def audited_world(hostile, clause):
    admin = get_user_model().objects.create_superuser("root.admin", "root@example.org", "x")
    assignment = assignment_create(module=hostile["module"], due_on=None, due_within_days=30)
    return {**hostile, "admin": admin, "clause": clause, "assignment": assignment}


@pytest.mark.parametrize("name", list(SENSITIVE))
def test_each_sensitive_action_writes_an_audit_event(name, audited_world, client):
    trigger = SENSITIVE[name]
    before = set(AuditEvent.objects.filter(action=trigger.action).values_list("pk", flat=True))
    trigger.run(audited_world, client)
    new = AuditEvent.objects.filter(action=trigger.action).exclude(pk__in=before)
    assert new.exists(), f"{name} wrote no {trigger.action} event"
    if trigger.actor:
        user = _user(audited_world, trigger.actor)
        assert {event.actor_id for event in new} == {user.pk}, name
