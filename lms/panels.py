"""The content checks panel of the module and quiz editors: the checks of what is being written,
as warnings while drafting (the same checks refuse submitting for review and publishing), and the
element whose value the clause chooser sends as its context (``modules.choosers``)."""

from wagtail.admin.panels import HelpPanel


class ContentChecksPanel(HelpPanel):
    chooser_element_id = ""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "lms/admin/content_checks_panel.html")
        kwargs.setdefault("heading", "Content checks")
        super().__init__(**kwargs)

    def problems_of(self, instance):
        raise NotImplementedError

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            instance = self.instance
            context["saved"] = instance is not None and instance.pk is not None
            context["problems"] = self.panel.problems_of(instance) if context["saved"] else []
            context["chooser_element_id"] = self.panel.chooser_element_id
            context["chooser_context_value"] = instance.pk if context["saved"] else ""
            return context
