"""Writes for modules: the policy library, the review workflow and a person's progress through a module."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
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
    WorkflowContentType,
    WorkflowPage,
    WorkflowTask,
)

from lms import roles
from lms.audit import CONTENT_PUBLISHED, audit_record
from people.services import role_groups_sync

from .handoffs import clause_revised
from .models import IndependentReviewTask, ModuleIndexPage, ModuleProgress, PolicyClause
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
    """The draft -> review -> publish workflow for modules, policies, quizzes and questions: one
    independent L&D review task (``IndependentReviewTask``, the L&D reviewers), assigned to the
    module catalogue, so that it covers every module, and to every reviewed snippet model.
    Idempotent, and it never overrides a workflow that an administrator has since assigned by hand.

    A database from before four eyes has a plain group approval task for the authors' group in
    the workflow; it is replaced and deactivated (which cancels the reviews waiting on it, since
    those could be approved by their own author)."""
    reviewers = Group.objects.get_or_create(name=roles.REVIEWERS)[0]
    task = IndependentReviewTask.objects.filter(name=MODULE_REVIEW_TASK_NAME).first()
    if task is None:
        task = IndependentReviewTask.objects.create(name=MODULE_REVIEW_TASK_NAME)
        task.groups.add(reviewers)
    workflow, created = Workflow.objects.get_or_create(name=MODULE_WORKFLOW_NAME)
    if created:
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    for legacy in GroupApprovalTask.objects.filter(name=MODULE_REVIEW_TASK_NAME, active=True):
        WorkflowTask.objects.filter(workflow=workflow, task=legacy).update(task=task)
        legacy.deactivate()
    index = ModuleIndexPage.objects.first()
    if index is not None and not WorkflowPage.objects.filter(page=index).exists():
        WorkflowPage.objects.create(workflow=workflow, page=index)
    for app_label, model_names in roles.REVIEWED_SNIPPET_MODELS.items():
        for content_type in ContentType.objects.filter(app_label=app_label, model__in=model_names):
            WorkflowContentType.objects.get_or_create(
                content_type=content_type, defaults={"workflow": workflow}
            )
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
    """The role groups with exactly the permissions each needs (``people.services``), plus the
    authors' rights on the page tree and the review workflow content goes through. Idempotent.

    Authors hold no publish right (one granted before four eyes is taken back): reviewers
    publish by approving, and never their own work."""
    groups = role_groups_sync()
    root = wagtail_root_ensure()
    wanted = [
        Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{codename}_page")
        for codename in roles.AUTHOR_PAGE_PERMISSIONS
    ]
    for permission in wanted:
        GroupPagePermission.objects.get_or_create(
            group=groups[roles.AUTHORS], page=root, permission=permission
        )
    GroupPagePermission.objects.filter(group=groups[roles.AUTHORS]).exclude(
        permission__in=wanted
    ).delete()
    module_workflow_ensure()
    return groups
