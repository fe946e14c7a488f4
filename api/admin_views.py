"""API clients in the Wagtail admin: create one (its token is shown once), list them, revoke.
Administrators only: a token opens the organisation's records to another system."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, View

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .models import ApiClient
from .services import ApiClientError, api_client_create, api_client_revoke


class ApiClientForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="The system that will use the token, e.g. “HR system” or “Data warehouse”.",
    )
    scopes = forms.MultipleChoiceField(
        choices=ApiClient.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Grant only what the system needs.",
    )


class AdministratorsOnly:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ApiClientsView(AdministratorsOnly, WagtailAdminTemplateMixin, FormView):
    page_title = "API clients"
    header_icon = "key"
    template_name = "api/admin/api_clients.html"
    form_class = ApiClientForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(clients=ApiClient.objects.all(), **kwargs)

    def form_valid(self, form):
        try:
            client, token = api_client_create(
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                by=self.request.user,
            )
        except ApiClientError as error:
            form.add_error("name", str(error))
            return self.form_invalid(form)
        # Shown on this response only (Wagtail's admin is never cached): the token is never
        # stored, so it cannot be shown again.
        return self.render_to_response(
            self.get_context_data(form=ApiClientForm(), new_client=client, new_token=token)
        )


class ApiClientRevokeView(AdministratorsOnly, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        client = api_client_revoke(client=get_object_or_404(ApiClient, pk=pk), by=request.user)
        messages.success(request, f"{client.name}'s token is revoked: it no longer works.")
        return redirect(reverse("api_clients"))
