from django_tasks import task

from .services import certificate_issue_base_competence, certificate_issue_for_attempt


@task()
def certificate_issue_task(*, attempt_id):
    """Issue in the background: rendering a PDF should not hold up the learner's result page.

    The module certificate first, then, if this pass completes the set, base competence. Both
    steps are idempotent, so a retry after a crash in either finishes the job without doubles."""
    certificate = certificate_issue_for_attempt(attempt_id=attempt_id)
    base_certificate = certificate_issue_base_competence(person=certificate.person)
    return {
        "module": certificate.serial,
        "base_competence": base_certificate.serial if base_certificate else None,
    }
