"""Whose staff a module's quiz refuses a start whatever they do, for the module page to say so
before they work through the steps: the rule belongs to the quizzes layer (whose questions rest
on whose policies), so it is asked through a Wagtail hook that ``quizzes/wagtail_hooks.py``
registers, as ``modules.publishing`` asks about publishing; this app never imports it.

- ``module_quiz_refusals``: ``fn(quiz) -> {organisation id: words}``, the words a quiz start
  refuses that organisation's staff with (the key None for people recorded without an
  organisation). The same for everyone, so it is cached with the module's quiz
  (``selectors.module_quiz_offered``)."""

from wagtail import hooks

REFUSALS_HOOK = "module_quiz_refusals"


def module_quiz_refusals(*, quiz):
    refusals = {}
    for refusals_of in hooks.get_hooks(REFUSALS_HOOK):
        refusals.update(refusals_of(quiz))
    return refusals
