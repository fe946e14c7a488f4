"""Reads for modules and the policy library."""

from django.db.models import F

from .models import ModulePage, ModuleProgress


def module_steps(*, progress):
    """The steps as they were in the revision this person started on."""
    return list(progress.revision.as_object().steps)


def module_progress_current(*, person, module):
    """The person's run through the module that is under way, else their latest finished one."""
    return (
        ModuleProgress.objects.filter(person=person, module=module)
        .select_related("revision")
        .order_by(F("completed_at").desc(nulls_first=True), "-started_at")
        .first()
    )


def modules_live():
    return ModulePage.objects.live().specific().order_by("path")
