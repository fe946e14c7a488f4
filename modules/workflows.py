"""How an approved review publishes (``WAGTAIL_FINISH_WORKFLOW_ACTION``).

Neither authors nor reviewers hold a publish permission, so that nobody in those roles can put
content live alone; the reviewer's approval, which ``IndependentReviewTask`` allows only to
someone who did not write or submit the content, is what publishes it."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from lms.audit import CONTENT_PUBLISHED, audit_record

from .handoffs import content_approved
from .publishing import publish_problems


@transaction.atomic  # a carry-through that fails leaves the approved clause unpublished
def workflow_publish_approved(workflow_state, user=None):
    obj = workflow_state.content_object
    revision = obj.get_latest_revision()
    # Checked again on the revision itself: what goes live is what was checked.
    problems = publish_problems(obj=revision.as_object())
    if problems:
        raise PermissionDenied(" ".join(problems))
    first_publication = not obj.live
    revision.publish(user=user, skip_permission_checks=True)
    if obj._meta.label == "modules.PolicyClause" and first_publication and obj.version > 1:
        # Wagtail imports this module while it defines its own models, before ours exist: the
        # services (and the models they import) can only be imported once a workflow finishes.
        from .services import clause_version_carry_through  # noqa: PLC0415

        # A proposed clause version takes effect now, approved: recertification or moved citations.
        obj.refresh_from_db()
        clause_version_carry_through(new_clause=obj, user=user)
    content_approved.send(sender=type(obj), obj=obj, user=user)
    from .services import content_cache_forget  # noqa: PLC0415 (see above)

    content_cache_forget()
    requested_by = workflow_state.requested_by
    audit_record(
        action=CONTENT_PUBLISHED,
        actor=user,
        target=obj,
        summary=f'Approved and published {obj._meta.verbose_name} "{obj}" (submitted by '
        f"{requested_by.get_username() if requested_by else 'nobody known'})",
        data={"workflow_state": workflow_state.pk, "revision": revision.pk},
    )
