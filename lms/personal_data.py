"""Subject access: everything the platform holds about one person, as one download."""

import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from certificates.models import Certificate
from modules.models import ModuleProgress
from quizzes.models import Attempt

from .models import Assignment, AuditEvent, Reminder


def person_data_collect(*, person):
    """The person's records as plain data: profile, progress, attempts (the full evidence of
    what they were shown and answered), certificates and the audit events about them."""
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
        "quiz_attempts": [
            {
                "quiz": attempt.quiz.title,
                "started_at": attempt.started_at,
                "submitted_at": attempt.submitted_at,
                "questions_shown": attempt.questions,
                "answers": attempt.answers,
                "results": attempt.results,
                "score_percent": attempt.percent,
                "pass_mark": attempt.pass_mark,
                "passed": attempt.passed,
            }
            for attempt in Attempt.objects.filter(person=person).select_related("quiz")
        ],
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
            {"module": assignment.module.title, "due_on": assignment.due_on,
             "due_within_days_of_starting": assignment.due_within_days, "assigned_on": assignment.assigned_on,
             "reason": assignment.get_reason_display()}
            for assignment in Assignment.objects.filter(person=person).select_related("module")
        ],
        "reminders_sent": [
            {"module": reminder.module.title, "reason": reminder.reason, "sent_at": reminder.sent_at}
            for reminder in Reminder.objects.filter(person=person).select_related("module")
        ],
        "audit_events": [
            {"at": event.at, "action": event.action, "summary": event.summary, "done_by": event.actor_name or "System"}
            for event in AuditEvent.objects.filter(Q(subject_person_id=person.pk) | Q(actor_id=person.user_id))
        ],
    }


def person_data_archive(*, person):
    """A ZIP: my-data.json plus the certificate PDFs exactly as stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        data = person_data_collect(person=person)
        archive.writestr("my-data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        for certificate in Certificate.objects.filter(person=person).exclude(pdf=""):
            with certificate.pdf.open("rb") as stored:
                archive.writestr(f"certificates/{certificate.serial}.pdf", stored.read())
    return buffer.getvalue()
