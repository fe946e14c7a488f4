"""Writes for modules: the policy library, the review workflow and a person's progress through a module."""

import json
import time

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
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

from lms import audit, roles
from lms.audit import audit_record
from lms.xapi import xapi_activity, xapi_is_enabled, xapi_record, xapi_registration
from people.services import role_groups_sync

from .handoffs import clause_revised, learner_records_written
from .models import (
    ClauseChange,
    IndependentReviewTask,
    ModuleIndexPage,
    ModuleProgress,
    PolicyClause,
    PolicyDocument,
    policy_version_label,
)
from .selectors import (
    CONTENT_CACHE_SECONDS,
    CONTENT_GENERATION_KEY,
    PAGE_ROUTE_GENERATION_KEY,
    PAGE_ROUTE_SECONDS,
    clause_citation_owner,
    clause_citing_relations,
    module_step_citations,
    module_steps,
    policy_clause_versions,
    policy_document_current_clauses,
)

MODULE_WORKFLOW_NAME = "Module review"
MODULE_REVIEW_TASK_NAME = "L&D review"


class ProgressError(Exception):
    pass


class PolicyError(Exception):
    pass


CLAUSE_AUDIT_ACTIONS = {
    ClauseChange.CORRECTION: audit.CLAUSE_CORRECTED,
    ClauseChange.CHANGE: audit.CLAUSE_CHANGED,
}


def policy_clause_edit_refusal(*, clause):
    """Why ``clause`` may not be edited in place, or "" when it may (a draft never published).

    A published version is evidence: attempts showed it and certificates rest on it. Any change,
    even a typo, is a new version (``policy_clause_revise``)."""
    if not clause.is_published:
        return ""
    return (
        f"Version {clause.version} of clause {clause.reference} is published, so it cannot be "
        "edited in place. Publish a new version instead: a correction if the meaning is "
        "unchanged, or a change of meaning, which sends certificates resting on it for "
        "recertification."
    )


def policy_document_edit_refusal(*, document, version):
    """Why saving ``document`` with ``version`` in place is refused, or "" when it is not: the
    version of a published document is raised with ``policy_document_version_raise``, which
    carries every clause through."""
    if not document.pk or not document.live or (version or "").strip() == document.version:
        return ""
    return (
        f"{document.title} is published as {policy_version_label(document.version)}; its version "
        "cannot be changed here. Use “Raise the version”, which carries each clause through to "
        "the new edition as a correction or a change of meaning."
    )


def policy_clause_revise(*, clause, heading, summary, user, change=ClauseChange.CHANGE):
    """Make a new version of a clause, and return it.

    ``change`` says what the new version is. A **change of meaning** sends certificates resting
    on the old version for recertification (``modules.handoffs.clause_revised``), and module steps
    and questions keep citing the old version until an author moves them on
    (``clause_citations_move``); until then those questions are left out of new draws. A
    **correction** keeps the meaning: nothing is recertified and every citation moves to it at
    once. Either way the old row stays exactly as it was: attempts and certificates cite the
    version they rested on.

    Four eyes: someone who may publish clauses (an administrator; ``user`` None for the content
    loader) publishes the new version at once. Anyone else, an L&D author, proposes it: it is saved
    as a draft and submitted to the review workflow, and nothing carries through until a reviewer
    approves it (``clause_version_carry_through``, called by ``modules.workflows``)."""
    if change not in CLAUSE_AUDIT_ACTIONS:
        raise PolicyError("Say whether the new version is a correction or a change of meaning.")
    with transaction.atomic():
        new_clause = _clause_version_create(
            clause=clause, heading=heading, summary=summary, change=change
        )
        if user is None or user.has_perm("modules.publish_policyclause"):
            new_clause.save_revision(user=user, log_action=True).publish(user=user)
            new_clause.refresh_from_db()
            clause_version_carry_through(new_clause=new_clause, user=user)
        else:
            new_clause.save_revision(user=user, log_action=True)
            workflow = new_clause.get_workflow()
            if workflow is None:
                raise PolicyError(
                    "Policy clauses have no review workflow, so a new version cannot be "
                    "submitted. Ask an administrator to run manage.py sync_roles."
                )
            workflow.start(new_clause, user)
    content_cache_forget()
    return new_clause


def _clause_version_create(*, clause, heading, summary, change, document_version=""):
    """The new version's row, a draft until published (by its author's publish right, or a
    reviewer's approval)."""
    # Lock the clause's versions so two authors revising at once cannot both take version n+1.
    versions = list(
        PolicyClause.objects.select_for_update()
        .filter(document_id=clause.document_id, reference=clause.reference)
        .order_by("-version")
    )
    current = versions[0]
    if current.pk != clause.pk:
        waiting = "" if current.live else " waiting for review"
        raise PolicyError(
            f"Clause {clause.reference} has a newer version (version {current.version}{waiting}); "
            "revise that one instead."
        )
    new_clause = PolicyClause(
        document_id=clause.document_id,
        reference=clause.reference,
        location=clause.location,
        not_assessed_reason=clause.not_assessed_reason,
        heading=heading.strip(),
        summary=summary.strip(),
        version=current.version + 1,
        change=change,
        document_version=document_version,
        live=False,
        has_unpublished_changes=True,
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
    return new_clause


def clause_version_carry_through(*, new_clause, user):
    """What publishing a new clause version sets off, once: a change of meaning recertifies
    (through the hand-off, inside the caller's transaction, so a failure there leaves the clause
    unpublished); a correction moves every citation to it. Audited either way."""
    clause = PolicyClause.objects.get(
        document_id=new_clause.document_id,
        reference=new_clause.reference,
        version=new_clause.version - 1,
    )
    change = new_clause.change
    title = clause.document.title
    if change == ClauseChange.CHANGE:
        # Certificates that rested on the old version need recertification and their holders the
        # module again: the layers above own that work.
        clause_revised.send(sender=PolicyClause, replaced_clause=clause, by=user)
        summary_text = (
            f"Published version {new_clause.version} of {title} clause {clause.reference}: "
            "a change of meaning; certificates resting on the old version need recertification"
        )
    else:
        summary_text = (
            f"Published version {new_clause.version} of {title} clause {clause.reference}: "
            "a correction, meaning unchanged"
        )
    audit_record(
        action=CLAUSE_AUDIT_ACTIONS[change],
        actor=user,
        target=new_clause,
        summary=summary_text,
        data={"replaced_clause": clause.pk, "version": new_clause.version},
    )
    if change == ClauseChange.CORRECTION:
        # The reviewer approved "everything citing it moves": that is the module pages' review.
        clause_citations_move(old_clause=clause, new_clause=new_clause, user=user, approved=True)


def clause_citations_move(
    *, old_clause, new_clause, user, page_ids=None, question_ids=None, approved=False
):
    """Move citations of ``old_clause`` to ``new_clause``, its current version: in module steps
    (the pages in ``page_ids``; None: every page citing it) and in questions (``question_ids``;
    None: every one). Returns ``{"pages": [...], "questions": n}``.

    A page is changed through a new revision, published at once when the page had no pending
    draft and ``user`` may publish it (or the move was ``approved`` in review, as a correction's
    is), otherwise left as a draft for review. Questions are changed
    in place (each option or question row that cites the clause)."""
    if (
        new_clause.document_id != old_clause.document_id
        or new_clause.reference != old_clause.reference
        or new_clause.version <= old_clause.version
    ):
        raise PolicyError(
            f"Citations of {old_clause.document.title} clause {old_clause.reference} can only move "
            f"to a newer version of that clause, not to clause {new_clause.reference} "
            f"version {new_clause.version}."
        )
    if page_ids is not None and question_ids is not None and not page_ids and not question_ids:
        raise PolicyError("Tick the module steps and questions to move.")
    newest = policy_clause_versions(clause=old_clause).filter(live=True).first()
    if newest.pk != new_clause.pk:
        raise PolicyError(
            f"Version {new_clause.version} of clause {new_clause.reference} has itself been "
            f"replaced; move citations to version {newest.version}."
        )
    with transaction.atomic():
        pages = _module_citations_move(
            old_clause=old_clause,
            new_clause=new_clause,
            user=user,
            page_ids=page_ids,
            approved=approved,
        )
        questions = _content_citations_move(
            old_clause=old_clause, new_clause=new_clause, owner_ids=question_ids
        )
        audit_record(
            action=audit.CLAUSE_CITATIONS_MOVED,
            actor=user,
            target=new_clause,
            summary=(
                f"Moved citations of {old_clause.document.title} clause {old_clause.reference} "
                f"from version {old_clause.version} to {new_clause.version}: "
                f"{len(pages)} module page(s), {questions} question(s)"
            ),
            data={
                "from_clause": old_clause.pk,
                "to_clause": new_clause.pk,
                "pages": [entry["page"].pk for entry in pages],
                "questions": questions,
            },
        )
    content_cache_forget()
    return {"pages": pages, "questions": questions}


def _module_citations_move(*, old_clause, new_clause, user, page_ids, approved):
    moved = []
    for citation in module_step_citations(clause=old_clause):
        page = citation["page"]
        if (page_ids is not None and page.pk not in page_ids) or any(
            entry["page"].pk == page.pk for entry in moved
        ):
            continue
        page = page.specific
        pending_draft = page.has_unpublished_changes
        latest = page.get_latest_revision_as_object()
        latest.steps = json.dumps(
            _clause_ids_replaced(list(latest.steps.raw_data), old_clause.pk, new_clause.pk)
        )
        revision = latest.save_revision(user=user, log_action=True)
        published = (
            page.live
            and not pending_draft
            and (approved or (user is not None and page.permissions_for_user(user).can_publish()))
        )
        if published:
            revision.publish(user=user, skip_permission_checks=approved)
        moved.append({"page": page, "published": published})
    return moved


def _clause_ids_replaced(value, old_id, new_id):
    """Raw StreamField data with every ``"clause": old_id`` made ``new_id``, wherever it sits."""
    if isinstance(value, dict):
        return {
            key: new_id
            if key == "clause" and item is not None and str(item) == str(old_id)
            else _clause_ids_replaced(item, old_id, new_id)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_clause_ids_replaced(item, old_id, new_id) for item in value]
    return value


def _content_citations_move(*, old_clause, new_clause, owner_ids):
    """Re-point every row of another app that cites ``old_clause`` (options, true/false
    questions); returns how many owners (questions) changed."""
    owners = set()
    for model, field_name in clause_citing_relations():
        owner_model, part_of = clause_citation_owner(model)
        citing = model._base_manager.filter(**{field_name: old_clause})
        if owner_ids is not None:
            citing = citing.filter(**{f"{part_of}_id__in" if part_of else "pk__in": owner_ids})
        owner_field = f"{part_of}_id" if part_of else "pk"
        owners |= {(owner_model, pk) for pk in citing.values_list(owner_field, flat=True)}
        citing.update(**{field_name: new_clause})
    return len(owners)


def policy_document_version_raise(*, document, version, clauses, user):
    """(Administrators: it publishes at once, every clause with it.) Publish a new edition of ``document``: its version becomes ``version`` and every current
    clause is carried through to it as a new clause version. ``clauses`` maps a clause reference
    to ``{"change": ClauseChange, "heading": ..., "summary": ...}``; a clause not named is
    carried through as a correction with its wording unchanged. Changes of meaning send
    certificates for recertification, exactly as ``policy_clause_revise`` does. Returns the new
    clause versions."""
    version = (version or "").strip()
    if not version:
        raise PolicyError("Enter the new version.")
    if any(
        (given or {}).get("change", ClauseChange.CORRECTION) not in CLAUSE_AUDIT_ACTIONS
        for given in clauses.values()
    ):
        raise PolicyError(
            "Say for each clause whether it is carried through as a correction or a change of meaning."
        )
    with transaction.atomic():
        document = PolicyDocument.objects.select_for_update().get(pk=document.pk)
        old_version = document.version
        if version == old_version:
            raise PolicyError(
                f"{document.title} is already {policy_version_label(version)}; enter a new version."
            )
        if (
            PolicyDocument.objects.filter(
                organisation=document.organisation, title=document.title, version=version
            )
            .exclude(pk=document.pk)
            .exists()
        ):
            raise PolicyError(
                f"The library already holds {document.title} {policy_version_label(version)}."
            )
        current = policy_document_current_clauses(document=document)
        unknown = set(clauses) - {clause.reference for clause in current}
        if unknown:
            raise PolicyError(
                f"{document.title} has no clause {', '.join(sorted(unknown))} to carry through."
            )
        # Earlier clause versions keep naming the edition they were published in.
        PolicyClause.objects.filter(document=document, document_version="").update(
            document_version=old_version
        )
        document.version = version
        try:
            document.save_revision(user=user, log_action=True).publish(user=user)
        except PublishPermissionError as error:
            raise PolicyError("You do not have permission to publish policy documents.") from error
        document.refresh_from_db()
        new_clauses = []
        for clause in current:
            given = clauses.get(clause.reference) or {}
            new_clause = _clause_version_create(
                clause=clause,
                heading=given.get("heading") or clause.heading,
                summary=given.get("summary") or clause.summary,
                change=given.get("change") or ClauseChange.CORRECTION,
                document_version=version,
            )
            # The document's publication was allowed above, so its clauses' is too.
            new_clause.save_revision(user=user, log_action=True).publish(
                user=user, skip_permission_checks=True
            )
            new_clause.refresh_from_db()
            clause_version_carry_through(new_clause=new_clause, user=user)
            new_clauses.append(new_clause)
        changed = [c.reference for c in new_clauses if c.change == ClauseChange.CHANGE]
        audit_record(
            action=audit.POLICY_VERSION_RAISED,
            actor=user,
            target=document,
            summary=(
                f"Raised {document.title} from {policy_version_label(old_version)} to "
                f"{policy_version_label(version)}: {len(new_clauses) - len(changed)} clause(s) "
                f"corrected, {len(changed)} changed in meaning"
                + (f" ({', '.join(changed)})" if changed else "")
            ),
            data={"from": old_version, "to": version, "changed": changed},
        )
    content_cache_forget()
    return new_clauses


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
            progress = ModuleProgress.objects.create(
                person=person, module=module, revision=revision
            )
            learner_records_written.send(
                sender=ModuleProgress, person_ids=[person.pk], module_ids=[module.pk]
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


def module_progress_complete(*, person_id, module):
    """Close the person's run through the module: its quiz has been passed."""
    now = timezone.now()
    open_runs = list(
        ModuleProgress.objects.filter(person_id=person_id, module=module, completed_at__isnull=True)
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


# The catalogue lists the live modules itself, each marked when it counts towards base
# competence, so its introduction names no number of modules: one more published must not make it
# wrong.
MODULE_INDEX_INTRO = (
    "<p>Short modules on social media at work and at home. Pass every module marked "
    "“part of base competence” to hold base competence.</p>"
)
# What earlier versions wrote, replaced where nobody has edited it since.
_MODULE_INDEX_INTROS_RETIRED = {
    "<p>Four short modules on social media at work and at home. Pass all four to hold base competence.</p>",
}


def module_index_ensure():
    """The module catalogue, made the site's root so that modules live at /learn/<slug>/."""
    index = ModuleIndexPage.objects.first()
    if index is None:
        root = wagtail_root_ensure()
        index = root.add_child(
            instance=ModuleIndexPage(
                title="Social media: base competence", slug="modules", intro=MODULE_INDEX_INTRO
            )
        )
        index.save_revision().publish()
    elif index.intro in _MODULE_INDEX_INTROS_RETIRED and not index.has_unpublished_changes:
        index.intro = MODULE_INDEX_INTRO
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


def content_cache_forget():
    """Every cached reading of modules, quizzes and the policy library is stale from now on
    (modules.selectors.module_quiz_offered): called by each service and admin action that changes
    them. At once and again after the commit, as page_routes_forget does, and for the same
    reason."""

    def forget():
        cache.set(CONTENT_GENERATION_KEY, time.time_ns(), timeout=CONTENT_CACHE_SECONDS)

    forget()
    transaction.on_commit(forget)


def page_routes_forget(**_signal):
    """Every cached module page route is stale from now on (modules.selectors.page_route_cached):
    called when a page is published, unpublished, moved or deleted, when a page's privacy changes
    and when a site changes (modules.apps connects it to those signals)."""

    def forget():
        cache.set(PAGE_ROUTE_GENERATION_KEY, time.time_ns(), timeout=PAGE_ROUTE_SECONDS)

    # At once, for the rest of this transaction, and again after the commit: a route read by
    # another request between the change and the commit would otherwise stay cached under the
    # new generation with what the database held before.
    forget()
    transaction.on_commit(forget)
