import datetime
import io
import json
import zipfile

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from lms import audit
from lms.models import AuditEvent
from people.models import Person
from quizzes.models import Attempt
from quizzes.services import attempt_submit
from tests.factories import attempt_begin
from tracking.retention import ANONYMOUS_HOLDER, people_anonymise


@pytest.fixture
def passed(people, quiz, django_capture_on_commit_callbacks):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    answers = {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])]
        for q in attempt.questions
    }
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, answers=answers)
    return Certificate.objects.get(person=people["staff"], kind=Certificate.Kind.MODULE)


def test_a_person_downloads_everything_held_about_them(client_for, people, passed):
    response = client_for(people["staff"]).get(reverse("my_data_download"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("my-data.json"))
    assert data["profile"]["username"] == "sam.staff" and data["profile"]["roles"] == ["Staff"]
    attempt = data["quiz_attempts"][0]
    assert attempt["passed"] is True and len(attempt["questions_shown"]) == 3 and attempt["answers"]
    assert passed.serial in [certificate["serial"] for certificate in data["certificates"]]
    assert {assignment["module"] for assignment in data["assignments"]} <= {passed.module.title}
    assert data["reminders_sent"] == []
    with passed.pdf.open("rb") as stored:
        assert archive.read(f"certificates/{passed.serial}.pdf") == stored.read()
    assert AuditEvent.objects.filter(
        action=audit.PERSONAL_DATA_EXPORTED, subject_person_id=people["staff"].pk
    ).exists()


def test_nobody_downloads_someone_elses_data(client_for, people, passed):
    # The download takes no id: it is always the signed-in person's own.
    data = json.loads(
        zipfile.ZipFile(
            io.BytesIO(client_for(people["other_staff"]).get(reverse("my_data_download")).content)
        ).read("my-data.json")
    )
    assert data["profile"]["username"] == "oscar.other"
    assert data["quiz_attempts"] == [] and data["certificates"] == []


def _leave(person, days_ago):
    Person.objects.filter(pk=person.pk).update(
        left_on=timezone.localdate() - datetime.timedelta(days=days_ago)
    )


def test_leavers_past_the_retention_period_are_anonymised_keeping_statistics(
    people, passed, settings
):
    settings.RETENTION_DAYS_AFTER_LEAVING = 365
    staff = people["staff"]
    _leave(staff, 400)
    _leave(people["other_staff"], 100)  # not yet due
    assert people_anonymise(today=timezone.localdate()) == [staff.pk]
    staff.refresh_from_db()
    staff.user.refresh_from_db()
    assert staff.anonymised_on == timezone.localdate()
    assert "Sam" not in staff.full_name and staff.user.email == "" and not staff.user.is_active
    assert not staff.user.has_usable_password() and not staff.user.groups.exists()
    assert not staff.user.emailaddress_set.exists()
    assert set(Certificate.objects.filter(person=staff).values_list("holder_name", flat=True)) == {
        ANONYMOUS_HOLDER
    }
    certificate = Certificate.objects.get(pk=passed.pk)
    assert (
        certificate.holder_name == ANONYMOUS_HOLDER
        and not certificate.pdf
        and certificate.sha256 == passed.sha256
    )
    # Statistics survive: the attempt and its score, the certificate's dates and status.
    assert Attempt.objects.filter(person=staff, passed=True).count() == 1
    assert (
        certificate.status == Certificate.Status.VALID
        and certificate.expires_on == passed.expires_on
    )
    assert get_user_model().objects.filter(username="oscar.other").exists()
    # The trail says it happened, naming nobody.
    event = AuditEvent.objects.get(action=audit.PERSON_ANONYMISED)
    assert event.target_id == str(staff.pk) and "Sam" not in event.summary
    # Running again does nothing more.
    assert people_anonymise(today=timezone.localdate()) == []
    assert AuditEvent.objects.filter(action=audit.PERSON_ANONYMISED).count() == 1


def test_dry_run_changes_nothing(people, settings, capsys):
    settings.RETENTION_DAYS_AFTER_LEAVING = 30
    _leave(people["staff"], 31)
    call_command("apply_retention", "--dry-run")
    assert "Would anonymise 1 person." in capsys.readouterr().out
    people["staff"].refresh_from_db()
    assert people["staff"].anonymised_on is None and people["staff"].user.username == "sam.staff"
