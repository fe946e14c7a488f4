from django_tasks import task

from .services import certificate_issue_for_attempt


@task()
def certificate_issue_task(*, attempt_id):
    """Issue in the background: rendering a PDF should not hold up the learner's result page."""
    certificate = certificate_issue_for_attempt(attempt_id=attempt_id)
    return certificate.serial
