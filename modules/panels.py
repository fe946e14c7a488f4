"""Panels of the module editor: the content checks at the top, and "What publishing does" (the
review screen's view of a module's effect on people, ``modules.publishing``)."""

from wagtail.admin.panels import HelpPanel

from lms.panels import ContentChecksPanel

from .publishing import module_check_problems, module_publish_effect

# The element whose value the clause chooser sends as ``module`` (``modules.choosers``): the
# chooser then offers the clauses of the documents the module already cites first.
CLAUSE_CHOOSER_MODULE_ELEMENT_ID = "clause-chooser-module"


class ModuleChecksPanel(ContentChecksPanel):
    """The module's checks; ``modules.forms.ModulePageForm`` refuses submitting and publishing
    while any remains. The edit view's instance is the latest revision: the version being
    written."""

    chooser_element_id = CLAUSE_CHOOSER_MODULE_ELEMENT_ID

    def problems_of(self, instance):
        return module_check_problems(module=instance)


class PublishEffectPanel(HelpPanel):
    def __init__(self, **kwargs):
        kwargs.setdefault("template", "modules/admin/publish_effect_panel.html")
        kwargs.setdefault("heading", "What publishing this version does")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            module = self.instance
            context["saved"] = module is not None and module.pk is not None
            if context["saved"]:
                context["effects"] = module_publish_effect(module=module)
            return context
