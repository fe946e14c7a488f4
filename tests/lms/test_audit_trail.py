import csv
import io

import pytest

from django.db import DatabaseError, transaction
from django.test import RequestFactory
from django.urls import reverse

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from lms import audit
from lms.models import AuditEvent
from modules.wagtail_hooks import audit_page_published
from people.wagtail_hooks import audit_user_roles


@pytest.fixture
def events(people):
    audit.audit_record(
        action=audit.CERTIFICATE_DOWNLOADED,
        summary="Downloaded 2026-000001",
        actor=people["auditor"].user,
        subject=people["staff"],
    )
    audit.audit_record(
        action=audit.PEOPLE_IMPORTED, summary="Imported 12 people", actor=people["author"].user
    )
    return AuditEvent.objects.all()


def test_events_cannot_be_changed(events):
    event = events.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    event.refresh_from_db()
    assert event.summary != "rewritten"


@pytest.mark.postgres  # SQLite keeps deletes possible so that Django can flush test databases
def test_events_cannot_be_deleted_on_postgresql(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 2


def test_an_unknown_action_is_refused(db):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit.audit_record(action="made.up", summary="x")
    assert not AuditEvent.objects.exists()


def test_only_auditors_see_the_trail(client_for, people, events):
    url = reverse("audit_trail")
    page = client_for(people["auditor"]).get(url).content.decode()
    assert "Downloaded 2026-000001" in page and "Imported 12 people" in page
    for who in ["staff", "manager", "author"]:
        assert client_for(people[who]).get(url).status_code == 404


def test_filters_apply_to_the_screen_and_the_export_alike(client_for, people, events):
    client = client_for(people["auditor"])
    url = reverse("audit_trail")
    page = client.get(url, {"action": audit.PEOPLE_IMPORTED}).content.decode()
    assert "Imported 12 people" in page and "Downloaded 2026-000001" not in page
    response = client.get(url, {"action": audit.PEOPLE_IMPORTED, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["When", "Action", "Done by"]
    assert [row[3] for row in rows[1:]] == ["Imported 12 people"]


def test_a_bad_date_range_is_explained(client_for, people, events):
    response = client_for(people["auditor"]).get(
        reverse("audit_trail"), {"date_from": "2026-12-01", "date_to": "2026-11-01"}
    )
    assert "The end date must be the same as or after the start date" in response.content.decode()


def test_publishing_and_role_changes_are_recorded(people, module):
    request = RequestFactory().post("/admin/")
    request.user = people["author"].user
    audit_page_published(request, module)
    audit_user_roles(request, people["staff"].user)
    published, roles_changed = AuditEvent.objects.order_by("id")
    assert published.action == audit.CONTENT_PUBLISHED and module.title in published.summary
    assert published.actor_name == people["author"].full_name
    assert roles_changed.data["roles"] == ["Staff"]


def test_publishing_in_the_admin_writes_an_event(django_user_model, client, people, module):
    # Four eyes: only a superuser publishes directly (reviewers' approvals are audited by
    # modules.workflows, tests/modules/test_four_eyes.py).
    admin = django_user_model.objects.create_superuser(
        "root", "root@example.org", "pw", first_name="Root", last_name="Admin"
    )
    client.force_login(admin)
    data = nested_form_data(
        {
            "title": "Passwords",
            "slug": "passwords",
            "summary": "Keep them safe.",
            "learning_outcomes": rich_text(""),
            "estimated_minutes": 5,
            "validity_months": 12,
            "steps": streamfield(
                [
                    (
                        "narrative",
                        {
                            "heading": "Why",
                            "body": rich_text("<p>Because.</p>"),
                            "image": "",
                            "image_alt": "",
                        },
                    )
                ]
            ),
            "action-publish": "publish",
        }
    )
    response = client.post(
        reverse("wagtailadmin_pages:add", args=["modules", "modulepage", module.get_parent().pk]),
        data,
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=audit.CONTENT_PUBLISHED)
    assert event.summary == 'Published page "Passwords"' and event.actor_id == admin.pk


def test_certificate_issue_download_and_revocation_are_in_the_trail(
    client_for, people, quiz, django_capture_on_commit_callbacks
):
    from certificates.models import Certificate
    from certificates.services import certificate_revoke
    from quizzes.services import attempt_submit
    from tests.factories import attempt_begin

    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    answers = {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])]
        for q in attempt.questions
    }
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, answers=answers)
    certificate = Certificate.objects.get(kind=Certificate.Kind.MODULE)
    assert AuditEvent.objects.filter(
        action=audit.CERTIFICATE_ISSUED,
        target_id=str(certificate.pk),
        subject_person_id=people["staff"].pk,
    ).exists()
    client_for(people["auditor"]).get(reverse("certificates:download", args=[certificate.serial]))
    download = AuditEvent.objects.get(action=audit.CERTIFICATE_DOWNLOADED)
    assert (
        download.actor_name == people["auditor"].full_name
        and certificate.serial in download.summary
    )
    certificate_revoke(
        certificate=certificate,
        by=people["auditor"].user,
        reason="Issued in error",
        category="issued_in_error",
    )
    revoked = AuditEvent.objects.get(
        action=audit.CERTIFICATE_REVOKED, target_id=str(certificate.pk)
    )
    assert (
        "Issued in error" in revoked.summary and revoked.actor_name == people["auditor"].full_name
    )


def test_a_people_import_is_in_the_trail_and_a_refused_one_is_not(people):
    from people.services import PeopleImportError, people_import

    header = "employee_number,first_name,last_name,email,team,job_title,line_manager_employee_number,start_date\n"
    people_import(
        data=(
            header + "E1,Jo,Bloggs,jo@example.org,Family court team,Adviser,,2026-01-05\n"
        ).encode(),
        by=people["author"].user,
    )
    event = AuditEvent.objects.get(action=audit.PEOPLE_IMPORTED)
    assert event.data["created"] == 1 and event.actor_name == people["author"].full_name
    with pytest.raises(PeopleImportError):
        people_import(data=(header + "E2,,,bad,,,,\n").encode(), by=people["author"].user)
    assert AuditEvent.objects.filter(action=audit.PEOPLE_IMPORTED).count() == 1


def test_the_export_cannot_smuggle_a_spreadsheet_formula(client_for, people):
    audit.audit_record(
        action=audit.CERTIFICATE_REVOKED,
        summary='=HYPERLINK("http://evil.example","click")',
        actor=people["auditor"].user,
    )
    response = client_for(people["auditor"]).get(reverse("audit_trail"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    # Newest first: the export's own event, then the hostile one.
    assert [row[3] for row in rows[1:]] == [
        "Exported the audit trail (CSV)",
        '\'=HYPERLINK("http://evil.example","click")',
    ]
