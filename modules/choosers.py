"""The clause chooser: how an author picks the clause a step, option or question cites.

It offers only the clause versions that may be cited now (``policy_clauses_citable``: published
and not replaced), and first the clauses of the documents that apply to what is being written.
Which documents apply is asked of the context the editor passes in the chooser's address:

- ``module=<page id>``: the documents the module's steps already cite (the module editor sends it
  from ``modules.panels.ModuleChecksPanel``'s element, ``modules.blocks.ClauseChooserBlock``);
- anything else a layer above understands (``quiz=<id>``: the quizzes app adds the documents its
  questions cite), through the ``policy_clause_chooser_documents`` hook:
  ``fn(params) -> iterable of document ids``, ``params`` being the request's query parameters.

A module with no citation yet has no documents that apply: every clause is offered, by document.
Each row names the document by its short name, then the clause's reference, heading and first
words, instead of the clause's long full name."""

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.text import Truncator

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.search.backends import get_search_backend
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenView,
)
from wagtail.snippets.widgets import AdminSnippetChooser

from .models import ModulePage, PolicyClause
from .selectors import module_cited_document_ids, policy_clauses_citable

DOCUMENTS_HOOK = "policy_clause_chooser_documents"
# Kept on the chooser's search, results pages and choice links, so the order holds throughout.
CONTEXT_PARAMETERS = ["module", "quiz"]
OPENING_WORDS = 12


def policy_clause_label(clause):
    """The chooser's name for a clause version: "Cafcass SMP 7.5 (v2): Repeat viewing needs…"."""
    return f"{clause.document.label} {clause.reference} (v{clause.version}): {clause.heading}"


def clause_chooser_document_ids(*, params):
    """Ids of the documents that apply to the context in ``params`` (see the module docstring)."""
    ids = set()
    for find_documents in hooks.get_hooks(DOCUMENTS_HOOK):
        ids.update(find_documents(params))
    return ids


def documents_cited_by_module(params):
    """This app's answer to the hook (registered in ``wagtail_hooks``): ``module=<page id>``."""
    module_id = params.get("module")
    if not module_id or not str(module_id).isdigit():
        return set()
    module = ModulePage.objects.filter(pk=module_id).first()
    return module_cited_document_ids(module=module) if module is not None else set()


class PolicyClauseChooser(AdminSnippetChooser):
    """The clause widget: the chosen clause by its short label. Forms pass the context with
    Wagtail's ``linked_fields``, e.g. ``PolicyClauseChooser(linked_fields={"quiz": "#id_quiz"})``;
    each selector must match an element on every screen the widget is shown on, or the
    chooser's script stops at it."""

    def get_display_title(self, instance):
        return policy_clause_label(instance)


class PolicyClauseChooseMixin:
    preserve_url_parameters = ["multiple", *CONTEXT_PARAMETERS]

    def get_object_list(self):
        applying = clause_chooser_document_ids(params=self.request.GET)
        self.applying_document_ids = applying
        return (
            policy_clauses_citable()
            .select_related("document")
            .annotate(
                applies=Case(
                    When(document_id__in=applying, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("applies", "document__organisation", "document__title", "reference")
        )

    def filter_object_list(self, objects):
        # The search backend cannot filter by "not replaced" (a subquery), so it searches the
        # published clauses and the chooser keeps its own filter and order; a typed reference
        # ("7.5") finds its clause too.
        if not self.filter_form.is_valid():
            return objects
        query = self.filter_form.cleaned_data.get("q")
        if not query:
            return objects
        backend = get_search_backend()
        published = PolicyClause.objects.filter(live=True)
        found = {clause.pk for clause in backend.autocomplete(query, published)}
        found |= {clause.pk for clause in backend.search(query, published)}
        return objects.filter(Q(pk__in=found) | Q(reference__startswith=query.strip()))

    @property
    def title_column(self):
        column = super().title_column
        column.accessor = lambda clause: f"{clause.reference} {clause.heading}"
        column.label = "Clause"
        return column

    @property
    def columns(self):
        # No status column: only published clauses are offered.
        return [
            Column(
                "document",
                label="Document",
                accessor=lambda clause: (
                    clause.document.label
                    + (" (cited here)" if clause.document_id in self.applying_document_ids else "")
                ),
            ),
            self.title_column,
            Column("version", label="Version", accessor=lambda clause: f"v{clause.version}"),
            Column(
                "summary",
                label="Opening words",
                accessor=lambda clause: Truncator(clause.summary).words(OPENING_WORDS),
            ),
        ]


class PolicyClauseChooseView(PolicyClauseChooseMixin, ChooseView):
    pass


class PolicyClauseChooseResultsView(PolicyClauseChooseMixin, ChooseResultsView):
    pass


class PolicyClauseChosenView(SnippetChosenView):
    def get_display_title(self, instance):
        return policy_clause_label(instance)


class PolicyClauseChooserViewSet(SnippetChooserViewSet):
    choose_view_class = PolicyClauseChooseView
    choose_results_view_class = PolicyClauseChooseResultsView
    chosen_view_class = PolicyClauseChosenView
    base_widget_class = PolicyClauseChooser
