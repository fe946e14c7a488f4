"""What stands in the way of publishing a module, and what publishing it will do.

Both answers belong to layers above this one (a module's quiz lives in ``quizzes``, assignments and
compliance in ``tracking``), so they are asked through two Wagtail hooks that those layers
register in their ``wagtail_hooks.py``; this app never imports them:

- ``module_publish_problems``: ``fn(module) -> list[str]``, sentences saying why the module
  (the revision about to go live) may not be published; empty when nothing stands in the way.
- ``module_publish_effect``: ``fn(module) -> list[str]``, sentences saying what publishing it
  will do to people (e.g. "assigns it to 40 people; compliance falls from 80 % to 0 %")."""

from wagtail import hooks

PROBLEMS_HOOK = "module_publish_problems"
EFFECT_HOOK = "module_publish_effect"


def module_publish_problems(*, module):
    return [problem for check in hooks.get_hooks(PROBLEMS_HOOK) for problem in check(module)]


def module_publish_effect(*, module):
    return [line for effect in hooks.get_hooks(EFFECT_HOOK) for line in effect(module)]


def publish_problems(*, obj):
    """The publish problems of any reviewed object: modules have some, other content none."""
    from .models import ModulePage

    if isinstance(obj, ModulePage):
        return module_publish_problems(module=obj)
    return []


def module_check_problems(*, module):
    """Every content check on the module as being edited, as sentences: steps citing replaced
    clause versions, then whatever stands in the way of publishing (its quiz, for a module that
    counts towards base competence). Shown as warnings while the author drafts
    (``modules.panels.ModuleChecksPanel``); submitting for review or publishing is refused while
    any remains (``modules.forms.ModulePageForm``)."""
    # The selectors import the models, which import this module.
    from .selectors import module_superseded_citation_warnings  # noqa: PLC0415

    return [
        *module_superseded_citation_warnings(module=module),
        *module_publish_problems(module=module),
    ]
