"""Subject access: everything the platform holds about one person, as one download."""

import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from certificates.models import Certificate
from lms.models import AuditEvent, XapiStatement
from modules.models import ModuleProgress
from quizzes.selectors import person_attempt_reviews

from .models import Assignment, Reminder


def person_data_collect(*, person):
    """The person's records as plain data: profile, progress, attempts (what they were shown and
    answered, times and scores; the answer key only where the quiz's review options allow),
    certificates, the xAPI statements about them sent (or to be sent) to a learning record store,
    and the audit events about them."""
    user = person.user
    return {
        "profile": {
            "username": user.get_username(),
            "name": person.full_name,
            "email": user.email,
            "employee_number": person.employee_number,
            "team": str(person.team) if person.team else None,
            "job_title": person.job_title,
            "line_manager": person.line_manager.full_name if person.line_manager else None,
            "start_date": person.start_date,
            "left_on": person.left_on,
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "last_login": user.last_login,
            "date_joined": user.date_joined,
        },
        "module_progress": [
            {
                "module": progress.module.title,
                "started_at": progress.started_at,
                "steps_completed": progress.steps_completed,
                "decisions": progress.decisions,
                "completed_at": progress.completed_at,
            }
            for progress in ModuleProgress.objects.filter(person=person).select_related("module")
        ],
        # Each attempt as the quiz's review options let its owner see it: all of it once the key
        # may be shown, else what they were shown and answered but not the key of a quiz they
        # have not passed (quizzes.selectors.attempt_review).
        "quiz_attempts": [review.data() for review in person_attempt_reviews(person=person)],
        "certificates": [
            {
                "serial": certificate.serial,
                "title": certificate.title,
                "status": certificate.display_status,
                "issued_at": certificate.issued_at,
                "expires_on": certificate.expires_on,
                "sha256": certificate.sha256,
                "file": f"certificates/{certificate.serial}.pdf" if certificate.pdf else None,
            }
            for certificate in Certificate.objects.filter(person=person)
        ],
        "assignments": [
            {
                "module": assignment.module.title,
                "due_on": assignment.due_on,
                "due_within_days_of_starting": assignment.due_within_days,
                "assigned_on": assignment.assigned_on,
                "reason": assignment.get_reason_display(),
            }
            for assignment in Assignment.objects.filter(person=person).select_related("module")
        ],
        "reminders_sent": [
            {
                "module": reminder.module.title,
                "reason": reminder.reason,
                "sent_at": reminder.sent_at,
            }
            for reminder in Reminder.objects.filter(person=person).select_related("module")
        ],
        "xapi_statements": [
            {"state": row.get_state_display(), "sent_at": row.sent_at, "statement": row.statement}
            for row in XapiStatement.objects.filter(person_id=person.pk)
        ],
        "audit_events": [
            {
                "at": event.at,
                "action": event.action,
                "summary": event.summary,
                "done_by": event.actor_name or "System",
            }
            for event in AuditEvent.objects.filter(
                Q(subject_person_id=person.pk) | Q(actor_id=person.user_id)
            )
        ],
    }


def person_data_archive(*, person):
    """A ZIP: my-data.json plus the certificate PDFs exactly as stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        data = person_data_collect(person=person)
        archive.writestr(
            "my-data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        for certificate in Certificate.objects.filter(person=person).exclude(pdf=""):
            with certificate.pdf.open("rb") as stored:
                archive.writestr(f"certificates/{certificate.serial}.pdf", stored.read())
    return buffer.getvalue()
