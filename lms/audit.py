"""The audit trail: recording (``audit_record``) and reading (``audit_events``) who did what.
The one log every sensitive action writes, in every app.

Kept apart from lms/services.py because every app writes to it and nothing else in lms is
shared so widely. Events are append-only (see migration 0003)."""

from django.utils.dateparse import parse_date

from .models import AuditEvent
from .names import user_display_name

CERTIFICATE_ISSUED = "certificate.issue"
CERTIFICATE_DOWNLOADED = "certificate.download"
CERTIFICATE_BULK_DOWNLOADED = "certificate.bulk_download"
CERTIFICATE_REVOKED = "certificate.revoke"
ATTEMPT_RESET = "attempt.reset"
PEOPLE_IMPORTED = "people.import"
ROLES_CHANGED = "user.roles"
CONTENT_PUBLISHED = "content.publish"
PERSONAL_DATA_EXPORTED = "person.data_export"
PERSON_ANONYMISED = "person.anonymise"
API_CLIENT_CREATED = "api.client_create"
API_CLIENT_REVOKED = "api.client_revoke"
API_USED = "api.use"
SIGNED_IN = "user.sign_in"
SIGN_IN_FAILED = "user.sign_in_failed"
LIST_EXPORTED = "list.export"
ASSIGNMENT_CREATED = "assignment.create"
ASSIGNMENT_EDITED = "assignment.edit"
ASSIGNMENT_DELETED = "assignment.delete"
CONTENT_UNPUBLISHED = "content.unpublish"
QUESTIONS_IMPORTED = "questions.import"
QUESTIONS_EXPORTED = "questions.export"
CLAUSE_CORRECTED = "clause.correct"
CLAUSE_CHANGED = "clause.change"
CLAUSE_CITATIONS_MOVED = "clause.citations_move"
POLICY_VERSION_RAISED = "policy.version_raise"

ACTIONS = {
    CERTIFICATE_ISSUED: "Certificate issued",
    CERTIFICATE_DOWNLOADED: "Certificate downloaded",
    CERTIFICATE_BULK_DOWNLOADED: "Certificate downloaded in a bulk ZIP",
    CERTIFICATE_REVOKED: "Certificate revoked",
    ATTEMPT_RESET: "Attempt reset or overridden",
    PEOPLE_IMPORTED: "People imported",
    ROLES_CHANGED: "Roles changed",
    CONTENT_PUBLISHED: "Content published",
    PERSONAL_DATA_EXPORTED: "Personal data downloaded",
    PERSON_ANONYMISED: "Person anonymised (retention)",
    API_CLIENT_CREATED: "API client created",
    API_CLIENT_REVOKED: "API client revoked",
    API_USED: "API used",
    SIGNED_IN: "Signed in",
    SIGN_IN_FAILED: "Sign-in failed",
    LIST_EXPORTED: "List exported",
    ASSIGNMENT_CREATED: "Assignment created",
    ASSIGNMENT_EDITED: "Assignment changed",
    ASSIGNMENT_DELETED: "Assignment deleted",
    CONTENT_UNPUBLISHED: "Content unpublished",
    QUESTIONS_IMPORTED: "Questions imported from a Moodle bank",
    QUESTIONS_EXPORTED: "Questions exported as a Moodle bank (with the answer key)",
    CLAUSE_CORRECTED: "Policy clause corrected (meaning unchanged)",
    CLAUSE_CHANGED: "Policy clause changed (recertification)",
    CLAUSE_CITATIONS_MOVED: "Citations moved to a new clause version",
    POLICY_VERSION_RAISED: "Policy document version raised",
}


def audit_record(
    *, action, summary, actor=None, subject=None, target=None, data=None, request=None
):
    """Append one event. ``actor`` is a user (None for the system), ``subject`` the Person the
    event is about, ``target`` the object acted on."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}")
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=action,
        summary=summary[:500],
        actor_id=actor.pk if actor else None,
        actor_name=user_display_name(actor) if actor else "",
        subject_person_id=subject.pk if subject else None,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
    )


def audit_export(*, request, what, export_format):
    """Record that the signed-in user downloaded the list ``what`` (with the filters in the query
    string): who took which personal data off the platform, and when."""
    filters = {key: value for key, value in request.GET.items() if key not in ("export", "format")}
    return audit_record(
        action=LIST_EXPORTED,
        summary=f"Exported {what} ({export_format.upper()})",
        data={"list": what, "format": export_format, "filters": filters, "path": request.path},
        request=request,
    )


def wagtail_exports_audit():
    """Every CSV and XLSX a Wagtail listing or report writes (our compliance reports, the users
    and snippet listings, Wagtail's own reports) is recorded as an export by the person who asked
    for it: the one method they all go through. Called once, from LmsConfig.ready."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "exports_audited", False):
        return
    as_spreadsheet = SpreadsheetExportMixin.as_spreadsheet

    def audited_as_spreadsheet(self, queryset, spreadsheet_format):
        title = getattr(self, "page_title", "") or self.get_filename()
        audit_export(
            request=self.request, what=f"{title} (admin)", export_format=spreadsheet_format
        )
        return as_spreadsheet(self, queryset, spreadsheet_format)

    SpreadsheetExportMixin.as_spreadsheet = audited_as_spreadsheet
    SpreadsheetExportMixin.exports_audited = True


def audit_records(*, action, actor, events):
    """Append one event per ``(summary, subject person id, target)`` in ``events``, all of one
    action by one actor, in one query (a bulk download logs each certificate it sends)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}")
    actor_fields = {
        "actor_id": actor.pk if actor else None,
        "actor_name": user_display_name(actor) if actor else "",
    }
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            action=action,
            summary=summary[:500],
            subject_person_id=subject_person_id,
            target_type=target._meta.label,
            target_id=str(target.pk),
            **actor_fields,
        )
        for summary, subject_person_id, target in events
    )


def audit_events_about(*, target, actions=None):
    """The events whose target is ``target``, newest first (e.g. who downloaded a certificate)."""
    events = AuditEvent.objects.filter(target_type=target._meta.label, target_id=str(target.pk))
    return events.filter(action__in=actions) if actions else events


def audit_events(*, action="", actor="", date_from="", date_to=""):
    """Events, newest first, filtered as the auditor's form asks. Unparseable dates are ignored
    by the caller's form before they reach here."""
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_name__icontains=actor)
    if date_from:
        events = events.filter(at__date__gte=parse_date(str(date_from)))
    if date_to:
        events = events.filter(at__date__lte=parse_date(str(date_to)))
    return events
