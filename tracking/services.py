"""Writes about who must complete what: assignments, recertification and reminders."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from certificates.services import certificates_mark_recertification_due
from lms.outbox import outbox_add
from modules.models import ModulePage
from people.models import Person

from .models import Assignment, Reminder


def assignment_create(
    *,
    module,
    audience=Assignment.Audience.EVERYONE,
    team=None,
    person=None,
    due_on=None,
    due_within_days=None,
    assigned_on=None,
    reason=Assignment.Reason.ASSIGNED,
):
    """Assign a module to everyone, a team (with its sub-teams) or a person; ValidationError if
    the due date or the target does not make sense."""
    assignment = Assignment(
        module=module,
        audience=audience,
        team=team,
        person=person,
        due_on=due_on,
        due_within_days=due_within_days,
        assigned_on=assigned_on or timezone.localdate(),
        reason=reason,
    )
    assignment.full_clean()
    assignment.save()
    return assignment


def assignment_recertify(*, person, module, today=None):
    """A new due date for someone whose certificate became "recertification due" (a policy it
    rests on changed): due within LMS_RECERTIFICATION_DUE_DAYS. Idempotent while one is open."""
    today = today or timezone.localdate()
    existing = Assignment.objects.filter(
        person=person,
        module=module,
        reason=Assignment.Reason.RECERTIFICATION,
        assigned_on__lte=today,
        due_on__gte=today,
    ).first()
    if existing:
        return existing
    return assignment_create(
        module=module,
        audience=Assignment.Audience.PERSON,
        person=person,
        assigned_on=today,
        due_on=today + datetime.timedelta(days=settings.LMS_RECERTIFICATION_DUE_DAYS),
        reason=Assignment.Reason.RECERTIFICATION,
    )


def clause_revision_carry_through(*, replaced_clause, by):
    """The hand-off from the policy library: a clause was replaced by a new version. Certificates
    that rested on the old version need recertification, and their holders get the module assigned
    again. Runs inside the revision's transaction (``modules.handoffs.clause_revised``), so a
    failure here leaves the clause unrevised."""
    for certificate in certificates_mark_recertification_due(
        replaced_clause=replaced_clause, by=by
    ):
        assignment_recertify(person=certificate.person, module=certificate.module)


def reminder_send(*, person_id, module_id, reason, about_date):
    """Send one reminder, at most once ever: the reminder's row and its e-mail (in the outbox)
    are written in one transaction, so a second run (or a second worker) finds the row and
    queues nothing, and a rolled-back run queues nothing. The e-mail goes after the commit
    (``lms.outbox``), with a plain-text and an HTML part. Returns whether a reminder was queued."""
    person = Person.objects.select_related("user", "line_manager__user").get(pk=person_id)
    module = ModulePage.objects.get(pk=module_id)
    if isinstance(about_date, str):
        about_date = datetime.date.fromisoformat(about_date)
    to_manager = reason == Reminder.Reason.ESCALATION
    if to_manager and (person.line_manager is None or person.line_manager.left_on is not None):
        return False
    recipient = person.line_manager.user.email if to_manager else person.user.email
    if not recipient or person.left_on is not None:
        return False
    context = {
        "person": person,
        "module": module,
        "about_date": about_date,
        "reason": reason,
        "module_url": settings.SITE_URL + (module.url or ""),
        "organisation_name": settings.ORGANISATION_NAME,
    }
    subject = render_to_string(f"tracking/email/{reason}_subject.txt", context).strip()
    text = render_to_string(f"tracking/email/{reason}.txt", context)
    html = render_to_string("tracking/email/reminder.html", {"subject": subject, "text": text})
    try:
        with transaction.atomic():
            Reminder.objects.create(
                person=person,
                module=module,
                reason=reason,
                about_date=about_date,
                recipient=recipient,
            )
            outbox_add(to=recipient, subject=subject, text_body=text, html_body=html)
    except IntegrityError:
        return False
    return True
