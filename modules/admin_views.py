"""Admin views for the policy library: publishing a new version of a clause, and listing what
cites a clause version so that authors can move modules and questions on to the new one."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button
from wagtail.snippets.views.snippets import EditView, IndexView

from .models import PolicyClause
from .selectors import policy_clause_citations, policy_clause_versions, policy_clauses_with_currency
from .services import PolicyError, policy_clause_revise


class PolicyClauseReviseForm(forms.Form):
    heading = forms.CharField(max_length=255)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What the clause now requires, in plain words.",
    )


class ClauseViewMixin(PermissionCheckedMixin, WagtailAdminTemplateMixin):
    model = PolicyClause
    header_icon = "openquote"
    # Filled in by PolicyClauseViewSet.get_common_view_kwargs.
    index_url_name = None
    edit_url_name = None
    revise_url_name = None
    citations_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.clause = get_object_or_404(
            PolicyClause.objects.select_related("document"), pk=kwargs["pk"]
        )

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Policy clauses"},
            {"url": reverse(self.edit_url_name, args=[self.clause.pk]), "label": str(self.clause)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["clause"] = self.clause
        context["versions"] = policy_clause_versions(clause=self.clause)
        return context


class PolicyClauseReviseView(ClauseViewMixin, FormView):
    """Publishes a new version of a clause whose meaning has changed (the old one stays)."""

    permission_required = "add"
    template_name = "modules/admin/policy_clause_revise.html"

    def dispatch(self, request, *args, **kwargs):
        # A new version is created and published in one step, so it needs both permissions.
        if not self.user_has_permission("publish"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    form_class = PolicyClauseReviseForm

    def get_page_title(self):
        return f"Publish a new version of clause {self.clause.reference}"

    def get_initial(self):
        return {"heading": self.clause.heading, "summary": self.clause.summary}

    def form_valid(self, form):
        try:
            new_clause = policy_clause_revise(
                clause=self.clause,
                heading=form.cleaned_data["heading"],
                summary=form.cleaned_data["summary"],
                user=self.request.user,
            )
        except PolicyError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Version {new_clause.version} of clause {new_clause.reference} is published. "
            f"Below is everything that still cites version {self.clause.version}.",
        )
        return redirect(reverse(self.citations_url_name, args=[self.clause.pk]))


class PolicyClauseCitationsView(ClauseViewMixin, TemplateView):
    """Every module step and question citing this clause version, with links to edit them."""

    any_permission_required = ["add", "change", "view"]
    template_name = "modules/admin/policy_clause_citations.html"

    def get_page_title(self):
        return f"What cites clause {self.clause.reference} version {self.clause.version}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        citations = policy_clause_citations(clause=self.clause)
        url_finder = AdminURLFinder(self.request.user)
        for citation in citations["module_steps"]:
            citation["edit_url"] = url_finder.get_edit_url(citation["page"])
        for citation in citations["questions"]:
            citation["edit_url"] = url_finder.get_edit_url(citation["object"])
        context.update(citations)
        context["newest"] = context["versions"].first()
        context["revise_url"] = reverse(self.revise_url_name, args=[self.clause.pk])
        return context


class ClauseButtonsMixin:
    revise_url_name = None
    citations_url_name = None

    def clause_buttons(self, clause, button_class):
        buttons = []
        user = self.request.user
        if self.permission_policy.user_has_permission(
            user, "add"
        ) and self.permission_policy.user_has_permission(user, "publish"):
            buttons.append(
                button_class(
                    "Publish a new version",
                    url=reverse(self.revise_url_name, args=[clause.pk]),
                    icon_name="plus",
                    priority=5,
                )
            )
        buttons.append(
            button_class(
                "What cites this version",
                url=reverse(self.citations_url_name, args=[clause.pk]),
                icon_name="link",
                priority=6,
            )
        )
        return buttons


class PolicyClauseIndexView(ClauseButtonsMixin, IndexView):
    def get_base_queryset(self):
        return policy_clauses_with_currency(queryset=super().get_base_queryset())

    def get_list_more_buttons(self, instance):
        return super().get_list_more_buttons(instance) + self.clause_buttons(instance, MenuItem)


class PolicyClauseEditView(ClauseButtonsMixin, EditView):
    @cached_property
    def header_more_buttons(self):
        return super().header_more_buttons + self.clause_buttons(self.object, Button)
