"""Writes for modules: the policy library, the review workflow and a person's progress through a module."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from wagtail.actions.publish_revision import PublishPermissionError
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from lms import roles
from lms.audit import CONTENT_PUBLISHED, audit_record
from lms.xapi import xapi_activity, xapi_is_enabled, xapi_record, xapi_registration
from people.services import role_groups_sync

from .handoffs import clause_revised
from .models import ModuleIndexPage, ModuleProgress, PolicyClause
from .selectors import module_steps

MODULE_WORKFLOW_NAME = "Module review"
MODULE_REVIEW_TASK_NAME = "L&D review"


class ProgressError(Exception):
    pass


class PolicyError(Exception):
    pass


def policy_clause_revise(*, clause, heading, summary, user):
    """Publish a new version of a clause whose meaning has changed, and return it.

    The old row stays exactly as it was: attempts and certificates cite the version they rested on.
    Module steps and questions keep citing the old version until an author moves them on
    (``modules.selectors.policy_clause_citations`` lists them)."""
    with transaction.atomic():
        # Lock the clause's versions so two authors revising at once cannot both take version n+1.
        versions = list(
            PolicyClause.objects.select_for_update()
            .filter(document_id=clause.document_id, reference=clause.reference)
            .order_by("-version")
        )
        current = versions[0]
        if current.pk != clause.pk:
            raise PolicyError(
                f"Clause {clause.reference} has a newer version (version {current.version}); revise that one instead."
            )
        new_clause = PolicyClause(
            document_id=clause.document_id,
            reference=clause.reference,
            location=clause.location,
            heading=heading.strip(),
            summary=summary.strip(),
            version=current.version + 1,
        )
        try:
            new_clause.full_clean()
        except ValidationError as error:
            raise PolicyError(" ".join(error.messages)) from error
        try:
            with transaction.atomic():
                new_clause.save()
        except IntegrityError as error:
            # Only reachable where the row lock is not honoured: the unique version constraint still holds.
            raise PolicyError(
                f"Version {new_clause.version} of clause {clause.reference} was just published by someone else."
            ) from error
        try:
            new_clause.save_revision(user=user, log_action=True).publish(user=user)
        except PublishPermissionError as error:
            raise PolicyError("You do not have permission to publish policy clauses.") from error
        new_clause.refresh_from_db()
        # Certificates that rested on the old version need recertification and their holders the
        # module again: the layers above own that work. Inside this transaction, so a failure
        # there leaves the clause unrevised.
        clause_revised.send(sender=PolicyClause, replaced_clause=clause, by=user)
        audit_record(
            action=CONTENT_PUBLISHED,
            actor=user,
            target=new_clause,
            summary=f"Published version {new_clause.version} of {clause.document.title} clause {clause.reference}",
        )
    return new_clause


def module_workflow_ensure():
    """The draft -> review -> publish workflow for modules: one L&D review task, assigned to the
    module catalogue so that it covers every module. Idempotent, and it never overrides a workflow
    that an administrator has since assigned to the catalogue by hand."""
    reviewers = Group.objects.get_or_create(name=roles.AUTHORS)[0]
    task = GroupApprovalTask.objects.filter(name=MODULE_REVIEW_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=MODULE_REVIEW_TASK_NAME)
        task.groups.add(reviewers)
    workflow, created = Workflow.objects.get_or_create(name=MODULE_WORKFLOW_NAME)
    if created:
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    index = ModuleIndexPage.objects.first()
    if index is not None and not WorkflowPage.objects.filter(page=index).exists():
        WorkflowPage.objects.create(workflow=workflow, page=index)
    return workflow


def module_progress_start(*, person, module):
    """Start the module, or return the run already under way (a second click resumes it).

    Progress is pinned to the live revision, so later edits do not change what this person sees."""
    progress = ModuleProgress.objects.filter(
        person=person, module=module, completed_at__isnull=True
    ).first()
    if progress:
        return progress
    revision = module.live_revision
    if revision is None:
        raise ProgressError("This module has not been published yet.")
    try:
        with transaction.atomic():
            progress = ModuleProgress.objects.create(
                person=person, module=module, revision=revision
            )
            _xapi_progress_record(
                progress=progress, module=module, verb="initialized", at=progress.started_at
            )
            return progress
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
    with transaction.atomic():
        progress.save(update_fields=["decisions"])
        _xapi_decision_record(progress=progress, step=step)
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
        next_number = (
            _branch_target(steps=steps, key=choice["branch_to"], after=number) or next_number
        )
    progress.steps_completed = max(progress.steps_completed, next_number - 1)
    fields = ["steps_completed"]
    if progress.steps_completed >= len(steps) and progress.steps_finished_at is None:
        progress.steps_finished_at = timezone.now()
        fields.append("steps_finished_at")
    progress.save(update_fields=fields)
    return next_number if next_number <= len(steps) else None


def module_progress_complete(*, person, module):
    """Close the run through the module: its quiz has been passed."""
    now = timezone.now()
    open_runs = list(
        ModuleProgress.objects.filter(person=person, module=module, completed_at__isnull=True)
    )
    ModuleProgress.objects.filter(pk__in=[progress.pk for progress in open_runs]).update(
        completed_at=now
    )
    for progress in open_runs:
        _xapi_progress_record(progress=progress, module=module, verb="completed", at=now)


def _xapi_module_activity(*, module):
    return xapi_activity(kind="module", key=module.pk, name=module.title)


def _xapi_decision_record(*, progress, step):
    """That a decision was made, for the LRS; never which choice: that would tell it the best one."""
    if not xapi_is_enabled():
        return
    xapi_record(
        event=f"module-progress/{progress.pk}/decision/{step.id}/answered",
        person_id=progress.person_id,
        verb="answered",
        activity=xapi_activity(
            kind="decision", key=f"{progress.module_id}/{step.id}", name=step.value["heading"]
        ),
        timestamp=timezone.now(),
        parent=_xapi_module_activity(module=progress.module),
        registration=xapi_registration(event=f"module-progress/{progress.pk}"),
    )


def _xapi_progress_record(*, progress, module, verb, at):
    """A run through a module started (``initialized``) or completed, for the LRS."""
    xapi_record(
        event=f"module-progress/{progress.pk}/{verb}",
        person_id=progress.person_id,
        verb=verb,
        activity=_xapi_module_activity(module=module),
        timestamp=at,
        result={"completion": True} if verb == "completed" else None,
        registration=xapi_registration(event=f"module-progress/{progress.pk}"),
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
        Site.objects.create(
            hostname="localhost", root_page=index, is_default_site=True, site_name="Learning"
        )
    elif site.root_page_id != index.pk:
        site.root_page = index
        site.save()
    module_workflow_ensure()
    return index


def wagtail_root_ensure():
    """Wagtail's tree root. Migrations create it, but a database flushed between transactional
    tests (or restored from a partial dump) has none, and the services must still work."""
    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    return root


def roles_sync():
    """The four role groups with exactly the permissions each needs (``people.services``), plus
    the authors' rights on the page tree and the review workflow modules go through. Idempotent."""
    groups = role_groups_sync()
    root = wagtail_root_ensure()
    for codename in roles.AUTHOR_PAGE_PERMISSIONS:
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=f"{codename}_page"
        )
        GroupPagePermission.objects.get_or_create(
            group=groups[roles.AUTHORS], page=root, permission=permission
        )
    # Authors review each other's modules before they go live.
    module_workflow_ensure()
    return groups
