"""The HR import screen in the Wagtail admin: upload, preview, confirm."""

import base64

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .forms import PeopleImportConfirmForm, PeopleImportForm
from .hr_plan import LEAVERS_CONFIRMATION_SHARE, file_sha256
from .services import (
    PeopleImportError,
    PeopleImportLeaversUnconfirmed,
    PeopleImportPlanChanged,
    people_import,
    people_import_preview,
)

IMPORT_PERMISSION = "people.import_people"
# Who sees the compliance and insight reports, and so chooses teams in their filters.
REPORTS_PERMISSION = "people.view_compliance_reports"
# The uploaded file waits in the session (server-side) between the preview and the confirmation,
# with its SHA-256, so the confirmation applies the very bytes that were previewed.
PENDING_KEY = "people_import_pending"


class PeopleImportView(WagtailAdminTemplateMixin, TemplateView):
    """Upload an HR file, see what it would do, then confirm. Every problem is listed with its
    line; a bad file, a refused confirmation or a changed file saves nothing."""

    page_title = "Import people"
    header_icon = "group"
    template_name = "people/admin/people_import.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self._upload_form())
        context["leavers_share"] = f"{LEAVERS_CONFIRMATION_SHARE:.0%}"
        return context

    def _upload_form(self, data=None, files=None):
        return PeopleImportForm(data, files, max_bytes=settings.LMS_HR_IMPORT_MAX_BYTES)

    def post(self, request, *args, **kwargs):
        if "digest" in request.POST:
            return self._confirm()
        form = self._upload_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data["file"].read()
        full_extract = form.cleaned_data["full_extract"]
        try:
            plan = people_import_preview(data=data, full_extract=full_extract)
        except PeopleImportError as error:
            return self.render_to_response(
                self.get_context_data(form=form, import_errors=error.errors)
            )
        return self._preview(plan=plan, data=data)

    def _preview(self, *, plan, data, **context):
        self.request.session[PENDING_KEY] = {
            "data": base64.b64encode(data).decode(),
            "sha256": plan.file_sha256,
            "full_extract": plan.full_extract,
        }
        confirm_form = context.pop("confirm_form", None) or PeopleImportConfirmForm(
            initial={"digest": plan.digest}
        )
        return self.render_to_response(
            self.get_context_data(plan=plan, confirm_form=confirm_form, **context)
        )

    def _pending(self):
        pending = self.request.session.get(PENDING_KEY)
        if not pending:
            return None, None
        data = base64.b64decode(pending["data"])
        if file_sha256(data) != pending["sha256"]:
            return None, None
        return data, pending["full_extract"]

    def _confirm(self):
        confirm_form = PeopleImportConfirmForm(self.request.POST)
        data, full_extract = self._pending()
        if data is None or not confirm_form.is_valid():
            self.request.session.pop(PENDING_KEY, None)
            messages.error(
                self.request,
                "Nothing was imported: no checked file is waiting for confirmation. Upload the file again.",
            )
            return redirect(reverse("lms_people_import"))
        try:
            result = people_import(
                data=data,
                full_extract=full_extract,
                confirm_leavers=confirm_form.cleaned_data["confirm_leavers"],
                expected_digest=confirm_form.cleaned_data["digest"],
                by=self.request.user,
            )
        except PeopleImportPlanChanged as changed:
            return self._preview(
                plan=changed.plan,
                data=data,
                plan_changed=True,
            )
        except PeopleImportLeaversUnconfirmed as refusal:
            return self._preview(plan=refusal.plan, data=data, leavers_unconfirmed=True)
        except PeopleImportError as error:
            self.request.session.pop(PENDING_KEY, None)
            return self.render_to_response(self.get_context_data(import_errors=error.errors))
        self.request.session.pop(PENDING_KEY, None)
        messages.success(
            self.request,
            f"People imported: {result.created} new, {result.updated} updated, {result.left} marked as left.",
        )
        return redirect(reverse("lms_people_import"))
