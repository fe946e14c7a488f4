"""The admin home's panels for L&D: writing a module starts there, one click from signing in,
rather than three screens into the page tree; and the policies whose review date has come."""

from django.urls import reverse
from django.utils import timezone

from wagtail.admin.ui.components import Component

from .models import ModuleIndexPage, ModulePage, PolicyDocument
from .selectors import policy_documents_review_due, policy_review_status


class ModuleWritingPanel(Component):
    name = "module_writing"
    order = 50  # above Wagtail's own panels (pages in workflow: 100)
    template_name = "modules/admin/home_module_writing_panel.html"

    def __init__(self, *, catalogue):
        self.catalogue = catalogue

    def get_context_data(self, parent_context=None):
        return {
            "catalogue": self.catalogue,
            "add_url": reverse(
                "wagtailadmin_pages:add",
                args=[
                    ModulePage._meta.app_label,
                    ModulePage._meta.model_name,
                    self.catalogue.pk,
                ],
            ),
            "explore_url": reverse("wagtailadmin_explore", args=[self.catalogue.pk]),
        }


def module_writing_panel_for(user):
    """The panel, for someone who may add a module under the catalogue; else None."""
    catalogue = ModuleIndexPage.objects.first()
    if catalogue is None or not catalogue.permissions_for_user(user).can_add_subpage():
        return None
    return ModuleWritingPanel(catalogue=catalogue)


class PolicyReviewPanel(Component):
    name = "policy_review"
    order = 60  # under "Write a module"
    template_name = "modules/admin/home_policy_review_panel.html"

    def __init__(self, *, documents, today):
        self.documents = documents
        self.today = today

    def get_context_data(self, parent_context=None):
        return {
            "reviews": [
                {
                    "document": document,
                    "status": policy_review_status(review_on=document.review_on, today=self.today),
                    "edit_url": reverse(
                        f"wagtailsnippets_{PolicyDocument._meta.app_label}_"
                        f"{PolicyDocument._meta.model_name}:edit",
                        args=[document.pk],
                    ),
                }
                for document in self.documents
            ],
        }


def policy_review_panel_for(user, *, today=None):
    """The panel, for someone who may edit the policy library, when a published policy's review
    date has passed or is near; else None."""
    permission = f"{PolicyDocument._meta.app_label}.change_{PolicyDocument._meta.model_name}"
    if not user.has_perm(permission):
        return None
    today = today or timezone.localdate()
    documents = list(policy_documents_review_due(today=today))
    if not documents:
        return None
    return PolicyReviewPanel(documents=documents, today=today)
