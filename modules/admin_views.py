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

from .models import ClauseChange, PolicyClause, PolicyDocument
from .selectors import (
    policy_clause_citations,
    policy_clause_versions,
    policy_clauses_with_currency,
    policy_document_current_clauses,
)
from .services import (
    PolicyError,
    clause_citations_move,
    policy_clause_revise,
    policy_document_version_raise,
)


class PolicyClauseReviseForm(forms.Form):
    change = forms.ChoiceField(
        label="What kind of change is this?",
        choices=[
            (
                ClauseChange.CORRECTION,
                "A correction: the meaning is unchanged (a typo, clearer wording). Nothing is "
                "recertified, and everything citing this version moves to the new one.",
            ),
            (
                ClauseChange.CHANGE,
                "A change of meaning: certificates resting on this version need recertification, "
                "and you choose which steps and questions move to the new version.",
            ),
        ],
        widget=forms.RadioSelect,
    )
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
    """Publishes, or proposes for review, a new version of a clause (the old one stays)."""

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "publishes": self.user_has_permission("publish"),
        }

    permission_required = "add"
    template_name = "modules/admin/policy_clause_revise.html"

    # An administrator (publish permission) publishes the new version at once; an L&D author's
    # goes to review, and takes effect when a reviewer approves it (four eyes).
    form_class = PolicyClauseReviseForm

    def get_page_title(self):
        if self.user_has_permission("publish"):
            return f"Publish a new version of clause {self.clause.reference}"
        return f"Propose a new version of clause {self.clause.reference}"

    def get_initial(self):
        return {"heading": self.clause.heading, "summary": self.clause.summary}

    def form_valid(self, form):
        try:
            new_clause = policy_clause_revise(
                clause=self.clause,
                heading=form.cleaned_data["heading"],
                summary=form.cleaned_data["summary"],
                user=self.request.user,
                change=form.cleaned_data["change"],
            )
        except PolicyError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        if not new_clause.live:
            messages.success(
                self.request,
                f"Version {new_clause.version} of clause {new_clause.reference} is submitted for "
                "review. Nothing changes for learners or certificates until an L&D reviewer "
                "approves it.",
            )
        elif new_clause.change == ClauseChange.CORRECTION:
            messages.success(
                self.request,
                f"Version {new_clause.version} of clause {new_clause.reference} is published as a "
                f"correction. Everything that cited version {self.clause.version} now cites it; "
                "nobody needs to recertify.",
            )
        else:
            messages.success(
                self.request,
                f"Version {new_clause.version} of clause {new_clause.reference} is published. "
                f"Below is everything that still cites version {self.clause.version}: questions "
                "citing it are left out of new attempts until you move them on.",
            )
        return redirect(reverse(self.citations_url_name, args=[self.clause.pk]))


class PolicyClauseCitationsView(ClauseViewMixin, TemplateView):
    """Every module step and question citing this clause version, with links to edit them, and
    (for a replaced version) a form that moves the ticked ones on to the current version."""

    any_permission_required = ["add", "change", "view"]
    template_name = "modules/admin/policy_clause_citations.html"

    def post(self, request, *args, **kwargs):
        if not self.user_has_permission("change"):
            raise PermissionDenied
        new_clause = PolicyClause.objects.filter(pk=_int_or_none(request.POST.get("to"))).first()
        if new_clause is None:
            messages.error(request, "Choose the clause version to move the citations to.")
            return redirect(request.path)
        try:
            moved = clause_citations_move(
                old_clause=self.clause,
                new_clause=new_clause,
                user=request.user,
                page_ids=_ints(request.POST.getlist("pages")),
                question_ids=_ints(request.POST.getlist("questions")),
            )
        except PolicyError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        drafts = [entry["page"].title for entry in moved["pages"] if not entry["published"]]
        messages.success(
            request,
            f"Moved {len(moved['pages'])} module(s) and {moved['questions']} question(s) to "
            f"version {new_clause.version}."
            + (
                f" Saved as drafts for review, not yet published: {', '.join(drafts)}."
                if drafts
                else ""
            ),
        )
        return redirect(request.path)

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
        context["can_move"] = context["newest"].pk != self.clause.pk and self.user_has_permission(
            "change"
        )
        return context


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ints(values):
    return [number for number in map(_int_or_none, values) if number is not None]


class PolicyDocumentVersionRaiseForm(forms.Form):
    """The new version, and for each current clause whether it changes meaning (with its new
    wording) or is carried through as a correction."""

    version = forms.CharField(max_length=30, label="New version", help_text="As printed, e.g. 3.0.")

    def __init__(self, *args, clauses, **kwargs):
        super().__init__(*args, **kwargs)
        self.clauses = clauses
        for clause in clauses:
            prefix = f"clause_{clause.pk}"
            self.fields[f"{prefix}_change"] = forms.ChoiceField(
                label=f"Clause {clause.reference}: {clause.heading}",
                choices=[
                    (ClauseChange.CORRECTION, "Carried through: the meaning is unchanged"),
                    (ClauseChange.CHANGE, "The meaning changes (recertification)"),
                ],
                initial=ClauseChange.CORRECTION,
                widget=forms.RadioSelect,
            )
            self.fields[f"{prefix}_heading"] = forms.CharField(
                max_length=255, initial=clause.heading, label=f"Clause {clause.reference} heading"
            )
            self.fields[f"{prefix}_summary"] = forms.CharField(
                initial=clause.summary,
                label=f"Clause {clause.reference} summary",
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clause_rows(self):
        for clause in self.clauses:
            prefix = f"clause_{clause.pk}"
            yield clause, [self[f"{prefix}_{name}"] for name in ("change", "heading", "summary")]

    def clause_changes(self):
        return {
            clause.reference: {
                "change": self.cleaned_data[f"clause_{clause.pk}_change"],
                "heading": self.cleaned_data[f"clause_{clause.pk}_heading"],
                "summary": self.cleaned_data[f"clause_{clause.pk}_summary"],
            }
            for clause in self.clauses
        }


class PolicyDocumentVersionRaiseView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Raises a published document to a new edition, carrying every clause through. It publishes
    the new edition and every clause at once, so only those who may publish (administrators) can:
    an L&D author proposes each clause's new version for review instead."""

    model = PolicyDocument
    header_icon = "doc-full"
    permission_required = "publish"
    template_name = "modules/admin/policy_document_version_raise.html"
    form_class = PolicyDocumentVersionRaiseForm
    index_url_name = None
    edit_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.document = get_object_or_404(PolicyDocument, pk=kwargs["pk"])
        self.clauses = policy_document_current_clauses(document=self.document)

    def dispatch(self, request, *args, **kwargs):
        # Every clause gets a new published version, so it needs the right to publish clauses.
        if not request.user.has_perm("modules.publish_policyclause") or not request.user.has_perm(
            "modules.publish_policydocument"
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Raise the version of {self.document.title}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Policy documents"},
            {
                "url": reverse(self.edit_url_name, args=[self.document.pk]),
                "label": str(self.document),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "clauses": self.clauses}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "document": self.document}

    def form_valid(self, form):
        try:
            new_clauses = policy_document_version_raise(
                document=self.document,
                version=form.cleaned_data["version"],
                clauses=form.clause_changes(),
                user=self.request.user,
            )
        except PolicyError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        changed = [c for c in new_clauses if c.change == ClauseChange.CHANGE]
        messages.success(
            self.request,
            f"{self.document.title} is now version {form.cleaned_data['version'].strip()}: "
            f"{len(new_clauses) - len(changed)} clause(s) carried through as corrections, "
            f"{len(changed)} changed in meaning. Move what cites the changed clauses on from "
            "each old version's “What cites this version” page.",
        )
        return redirect(reverse(self.edit_url_name, args=[self.document.pk]))


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


class PolicyDocumentEditView(EditView):
    raise_url_name = None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.object.live and self.permission_policy.user_has_permission(
            self.request.user, "publish"
        ):
            buttons.append(
                Button(
                    "Raise the version",
                    url=reverse(self.raise_url_name, args=[self.object.pk]),
                    icon_name="plus",
                    priority=5,
                )
            )
        return buttons
