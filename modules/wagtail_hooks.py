from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import PolicyClause, PolicyDocument


class PolicyDocumentViewSet(SnippetViewSet):
    model = PolicyDocument
    icon = "doc-full"
    menu_label = "Policy documents"
    list_display = ["title", "organisation", "version", "review_on"]
    list_filter = ["organisation"]
    search_fields = ["title", "organisation"]
    panels = [
        FieldPanel("title"),
        FieldPanel("organisation"),
        FieldPanel("owner"),
        FieldPanel("version"),
        FieldPanel("approved_on"),
        FieldPanel("review_on"),
        FieldPanel("source_url"),
    ]


class PolicyClauseViewSet(SnippetViewSet):
    model = PolicyClause
    icon = "openquote"
    menu_label = "Policy clauses"
    list_display = ["reference", "heading", "document", "version"]
    list_filter = ["document"]
    search_fields = ["reference", "heading", "summary"]
    panels = [FieldPanel("document"), FieldPanel("reference"), FieldPanel("version"), FieldPanel("heading"), FieldPanel("summary")]


class PolicyLibraryGroup(SnippetViewSetGroup):
    items = (PolicyDocumentViewSet, PolicyClauseViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = "Policy library"
    menu_name = "policy-library"


register_snippet(PolicyLibraryGroup)
