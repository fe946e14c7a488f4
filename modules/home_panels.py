"""The admin home's panel for L&D authors: writing a module starts there, one click from
signing in, rather than three screens into the page tree."""

from django.urls import reverse

from wagtail.admin.ui.components import Component

from .models import ModuleIndexPage, ModulePage


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
