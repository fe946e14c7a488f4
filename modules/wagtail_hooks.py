from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import dateformat, timezone

from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms.audit import CONTENT_PUBLISHED, CONTENT_UNPUBLISHED, audit_record

from .admin_views import (
    PolicyClauseCitationsView,
    PolicyClauseEditView,
    PolicyClauseIndexView,
    PolicyClauseReviseView,
    PolicyDocumentEditView,
    PolicyDocumentVersionRaiseView,
)
from .choosers import DOCUMENTS_HOOK, PolicyClauseChooserViewSet, documents_cited_by_module
from .home_panels import module_writing_panel_for, policy_review_panel_for
from .models import PolicyClause, PolicyDocument
from .publishing import publish_problems
from .selectors import policy_review_status
from .services import (
    content_cache_forget,
    policy_clause_edit_refusal,
    policy_document_edit_refusal,
)


def _review_column_value(document):
    """The review date, with whether it has passed or is near (``policy_review_status``)."""
    if document.review_on is None:
        return ""
    when = dateformat.format(document.review_on, "j F Y")
    status = policy_review_status(review_on=document.review_on, today=timezone.localdate())
    if status == "overdue":
        return f"{when} (overdue)"
    if status == "due":
        return f"{when} (due soon)"
    return when


# No search_fields on these viewsets: the admin search then uses the models' own search_fields,
# which (unlike a per-field search) works with the database backend on SQLite as on PostgreSQL.
class PolicyDocumentViewSet(SnippetViewSet):
    model = PolicyDocument
    icon = "doc-full"
    menu_label = "Policy documents"
    list_display = [
        "title",
        "organisation",
        "version",
        Column(
            "review_on", label="Review date", accessor=_review_column_value, sort_key="review_on"
        ),
    ]
    list_filter = ["organisation"]
    edit_view_class = PolicyDocumentEditView
    panels = [
        FieldPanel("title"),
        FieldPanel("short_name"),
        FieldPanel("organisation"),
        FieldPanel("audience", widget=forms.CheckboxSelectMultiple),
        FieldPanel("owner"),
        FieldPanel("version"),
        FieldPanel("approved_on"),
        FieldPanel("review_on"),
        FieldPanel("source_url"),
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            raise_url_name=self.get_url_name("raise_version"), **kwargs
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(
                "raise-version/<str:pk>/",
                self.construct_view(PolicyDocumentVersionRaiseView),
                name="raise_version",
            ),
        ]


class PolicyClauseViewSet(SnippetViewSet):
    """A published clause is never edited in place (``published_policy_not_edited_in_place``):
    every change is a new version ("Publish a new version"), a correction or a change of meaning;
    the latter lists everything that cites the old one, to move on in bulk."""

    model = PolicyClause
    icon = "openquote"
    menu_label = "Policy clauses"
    list_display = [
        "reference",
        "heading",
        "document",
        "version",
        "change",
        BooleanColumn("is_current", label="Current version"),
    ]
    list_filter = ["document"]
    index_view_class = PolicyClauseIndexView
    edit_view_class = PolicyClauseEditView
    # Offers only the versions that may be cited now, the module's own documents first.
    chooser_viewset_class = PolicyClauseChooserViewSet
    panels = [
        FieldPanel("document"),
        FieldPanel("reference"),
        FieldPanel("location"),
        # Versions are numbered by policy_clause_revise, never typed in.
        FieldPanel("version", read_only=True),
        FieldPanel("heading"),
        FieldPanel("summary"),
        FieldPanel("not_assessed_reason"),
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            revise_url_name=self.get_url_name("revise"),
            citations_url_name=self.get_url_name("citations"),
            **kwargs,
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("revise/<str:pk>/", self.construct_view(PolicyClauseReviseView), name="revise"),
            path(
                "citations/<str:pk>/",
                self.construct_view(PolicyClauseCitationsView),
                name="citations",
            ),
        ]


class PolicyLibraryGroup(SnippetViewSetGroup):
    items = (PolicyDocumentViewSet, PolicyClauseViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = "Policy library"
    menu_name = "policy-library"


register_snippet(PolicyLibraryGroup)
hooks.register(DOCUMENTS_HOOK, documents_cited_by_module)


@hooks.register("before_edit_snippet")
def published_policy_not_edited_in_place(request, instance):
    """A published clause, and a published document's version, change only through a new
    version, so that what cites them is carried through (``modules.services``)."""
    if isinstance(instance, PolicyClause):
        refusal = policy_clause_edit_refusal(clause=instance)
    elif isinstance(instance, PolicyDocument) and request.method == "POST":
        refusal = policy_document_edit_refusal(
            document=instance, version=request.POST.get("version")
        )
    else:
        return None
    if not refusal:
        return None
    if request.method != "POST":
        messages.warning(request, refusal)
        return None
    messages.error(request, refusal)
    return redirect(
        reverse(f"wagtailsnippets_modules_{instance._meta.model_name}:edit", args=[instance.pk])
    )


@hooks.register("after_publish_page")
def audit_page_published(request, page):
    audit_record(
        action=CONTENT_PUBLISHED,
        summary=f'Published page "{page.title}"',
        target=page,
        request=request,
    )


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def audit_content_saved(request, instance):
    """Policies and quizzes are snippets: saving one changes what learners are taught or asked."""
    if instance._meta.app_label in {"modules", "quizzes"}:
        audit_record(
            action=CONTENT_PUBLISHED,
            summary=f'Saved {instance._meta.verbose_name} "{instance}"'[:500],
            target=instance,
            request=request,
        )


@hooks.register("after_unpublish_page")
def audit_page_unpublished(request, page):
    audit_record(
        action=CONTENT_UNPUBLISHED,
        summary=f'Unpublished page "{page.title}"',
        target=page,
        request=request,
    )


@hooks.register("after_unpublish")
def audit_snippet_unpublished(request, instance):
    """Policy documents and clauses have drafts: unpublishing one takes it away from learners."""
    audit_record(
        action=CONTENT_UNPUBLISHED,
        summary=f'Unpublished {instance._meta.verbose_name} "{instance}"'[:500],
        target=instance,
        request=request,
    )


@hooks.register("after_bulk_action")
def audit_pages_unpublished_in_bulk(request, action_type, objects, action_class_instance):
    if action_type == "unpublish":
        for page in objects:
            audit_page_unpublished(request, page)


@hooks.register("before_publish_page")
def module_publish_refused_with_problems(request, page):
    """Whoever may publish directly (a superuser) meets the same rule as an approving reviewer."""
    problems = publish_problems(obj=page.specific)
    if problems:
        for problem in problems:
            messages.error(request, problem)
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


# Every admin action that can change a page, a snippet (policy documents and clauses, quizzes and
# their questions) or many at once; an edit of anything else costs no more than a fresh reading.
@hooks.register("after_create_page")
@hooks.register("after_edit_page")
@hooks.register("after_publish_page")
@hooks.register("after_unpublish_page")
@hooks.register("after_delete_page")
@hooks.register("after_move_page")
@hooks.register("after_copy_page")
@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
@hooks.register("after_publish")
@hooks.register("after_unpublish")
@hooks.register("after_delete_snippet")
@hooks.register("after_bulk_action")
def content_cache_forget_after_admin_change(request, *_args, **_kwargs):
    """The cached readings of modules, quizzes and the policy library are stale after the admin
    changes them (modules.selectors.module_quiz_offered). A review's approval publishes through
    modules.workflows and scheduled publishing through this app's ``publish_scheduled``, which
    forget too; the services forget what they change themselves."""
    content_cache_forget()


@hooks.register("construct_homepage_panels")
def module_writing_panel(request, panels):
    panel = module_writing_panel_for(request.user)
    if panel is not None:
        panels.append(panel)


@hooks.register("construct_homepage_panels")
def policy_review_panel(request, panels):
    panel = policy_review_panel_for(request.user)
    if panel is not None:
        panels.append(panel)
