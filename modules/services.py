"""Writes for modules: a person's progress through a module's steps."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from .models import ModuleIndexPage, ModuleProgress
from .selectors import module_steps


class ProgressError(Exception):
    pass


def module_progress_start(*, person, module):
    """Start the module, or return the run already under way (a second click resumes it).

    Progress is pinned to the live revision, so later edits do not change what this person sees."""
    progress = ModuleProgress.objects.filter(person=person, module=module, completed_at__isnull=True).first()
    if progress:
        return progress
    revision = module.live_revision
    if revision is None:
        raise ProgressError("This module has not been published yet.")
    try:
        with transaction.atomic():
            return ModuleProgress.objects.create(person=person, module=module, revision=revision)
    except IntegrityError:
        # A concurrent start won the race; resume theirs.
        return ModuleProgress.objects.get(person=person, module=module, completed_at__isnull=True)


def module_decision_record(*, progress, number, choice_index):
    """Record the choice made at decision step ``number`` (1-based). The first choice stands:
    what someone decided first is what they learn from, and what their manager's report shows."""
    steps = module_steps(progress=progress)
    step = _reachable_step(progress=progress, steps=steps, number=number)
    if step.block_type != "decision":
        raise ProgressError("This step has no decision to make.")
    if not 0 <= choice_index < len(step.value["choices"]):
        raise ProgressError("Choose one of the options shown.")
    if step.id in progress.decisions:
        return progress
    progress.decisions[step.id] = choice_index
    progress.save(update_fields=["decisions"])
    return progress


def module_step_complete(*, progress, number):
    """Mark step ``number`` done and return the number of the step to show next (None when the
    steps are finished). A decision must be made before moving on; a choice may branch ahead."""
    steps = module_steps(progress=progress)
    step = _reachable_step(progress=progress, steps=steps, number=number)
    next_number = number + 1
    if step.block_type == "decision":
        if step.id not in progress.decisions:
            raise ProgressError("Choose what you would do before you continue.")
        choice = step.value["choices"][progress.decisions[step.id]]
        next_number = _branch_target(steps=steps, key=choice["branch_to"], after=number) or next_number
    progress.steps_completed = max(progress.steps_completed, next_number - 1)
    fields = ["steps_completed"]
    if progress.steps_completed >= len(steps) and progress.steps_finished_at is None:
        progress.steps_finished_at = timezone.now()
        fields.append("steps_finished_at")
    progress.save(update_fields=fields)
    return next_number if next_number <= len(steps) else None


def module_progress_complete(*, person, module):
    """Close the run through the module: its quiz has been passed."""
    ModuleProgress.objects.filter(person=person, module=module, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )


def _reachable_step(*, progress, steps, number):
    if not 1 <= number <= len(steps):
        raise ProgressError("There is no such step in this module.")
    if number > progress.steps_completed + 1:
        raise ProgressError("Work through the steps in order.")
    return steps[number - 1]


def _branch_target(*, steps, key, after):
    if not key:
        return None
    for index, step in enumerate(steps, start=1):
        if index > after and step.block_type == "decision" and step.value["key"] == key:
            return index
    return None


def module_index_ensure():
    """The module catalogue, made the site's root so that modules live at /learn/<slug>/."""
    index = ModuleIndexPage.objects.first()
    if index is None:
        root = wagtail_root_ensure()
        index = root.add_child(
            instance=ModuleIndexPage(
                title="Social media: base competence",
                slug="modules",
                intro="<p>Four short modules on social media at work and at home. Pass all four to hold base competence.</p>",
            )
        )
        index.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=index, is_default_site=True, site_name="Learning")
    elif site.root_page_id != index.pk:
        site.root_page = index
        site.save()
    return index


def wagtail_root_ensure():
    """Wagtail's tree root. Migrations create it, but a database flushed between transactional
    tests (or restored from a partial dump) has none, and the services must still work."""
    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root
