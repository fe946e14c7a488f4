"""The module editor's form: the content checks refuse submitting for review and publishing."""

from wagtail.admin.forms import WagtailAdminPageForm

from .publishing import module_check_problems

# The buttons of Wagtail's editor that send content towards learners.
CHECKED_ACTIONS = ("action-submit", "action-restart-workflow", "action-publish")


def content_checks_apply(data):
    """Whether the posted form asks to submit for review or publish (saving a draft is never
    refused for what the checks find: the author is still writing)."""
    return any(data.get(action) for action in CHECKED_ACTIONS)


class ModulePageForm(WagtailAdminPageForm):
    def is_valid(self):
        if not super().is_valid():
            return False
        if not content_checks_apply(self.data):
            return True
        # After validation the instance holds what was posted: the version to be submitted.
        problems = module_check_problems(module=self.instance)
        for problem in problems:
            self.add_error(None, problem)
        return not problems
