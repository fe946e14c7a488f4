"""The HR import screen in the Wagtail admin."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .forms import PeopleImportForm
from .services import PeopleImportError, people_import

IMPORT_PERMISSION = "people.import_people"


class PeopleImportView(WagtailAdminTemplateMixin, FormView):
    """Upload an HR file. Every problem is listed with its line; a bad file saves nothing."""

    page_title = "Import people"
    header_icon = "group"
    template_name = "people/admin/people_import.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return PeopleImportForm(
            **self.get_form_kwargs(), max_bytes=settings.LMS_HR_IMPORT_MAX_BYTES
        )

    def form_valid(self, form):
        try:
            result = people_import(data=form.cleaned_data["file"].read(), by=self.request.user)
        except PeopleImportError as error:
            return self.render_to_response(
                self.get_context_data(form=form, import_errors=error.errors)
            )
        messages.success(
            self.request,
            f"People imported: {result.created} new, {result.updated} updated, {result.left} marked as left.",
        )
        return redirect(reverse("lms_people_import"))
