"""The module editor's "What publishing does" panel: the review screen's view of a module's effect
on people and of anything that stops it being published (``modules.publishing``)."""

from wagtail.admin.panels import HelpPanel

from .publishing import module_publish_effect, module_publish_problems


class PublishEffectPanel(HelpPanel):
    def __init__(self, **kwargs):
        kwargs.setdefault("template", "modules/admin/publish_effect_panel.html")
        kwargs.setdefault("heading", "What publishing this version does")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            module = self.instance
            # The editor shows the latest revision: the version a reviewer would approve.
            context["saved"] = module is not None and module.pk is not None
            if context["saved"]:
                context["problems"] = module_publish_problems(module=module)
                context["effects"] = module_publish_effect(module=module)
            return context
