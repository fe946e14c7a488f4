"""The auditor's view of the audit trail, with the same filters for the screen and the export."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import roles
from .access import require_role
from .audit import ACTIONS, audit_events, audit_export
from .exports import table_csv_response

PAGE_SIZE = 200


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "Any action"), *ACTIONS.items()], required=False)
    actor = forms.CharField(required=False, max_length=100, label="Done by (name contains)")
    date_from = forms.DateField(required=False, label="From", help_text="For example, 2026-11-01")
    date_to = forms.DateField(required=False, label="To", help_text="For example, 2026-11-30")

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and cleaned["date_from"] > cleaned["date_to"]
        ):
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return cleaned


@login_required
def audit_trail(request):
    require_role(request.user, roles.AUDITORS)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = audit_events(**{key: value for key, value in filters.items() if value})
    if request.GET.get("export") == "csv" and (not form.is_bound or form.is_valid()):
        # Recorded before the rows are read, so the export shows its own event.
        audit_export(request=request, what="the audit trail", export_format="csv")
        return _csv(events)
    return render(
        request,
        "lms/audit_trail.html",
        {
            "form": form,
            "events": events[:PAGE_SIZE],
            "count": events.count(),
            "page_size": PAGE_SIZE,
            "export_query": _export_query(request),
        },
    )


def _export_query(request):
    query = request.GET.copy()
    query["export"] = "csv"
    return query.urlencode()


def _csv(events):
    rows = (
        (
            event.at.isoformat(),
            ACTIONS.get(event.action, event.action),
            event.actor_name or "System",
            event.summary,
            event.target_type,
            event.target_id,
            event.ip_address or "",
        )
        for event in events.iterator(chunk_size=2000)
    )
    return table_csv_response(
        filename="audit-trail",
        headers=["When", "Action", "Done by", "Summary", "Target", "Target id", "Address"],
        rows=rows,
        stream=True,
    )
