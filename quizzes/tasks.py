from django_tasks import task

from .evidence import attempt_evidence_seal
from .submitted import attempt_submission_follow_up


@task()
def attempt_submitted_task(*, submitted_attempt_id):
    """What a submission leaves to the worker (``quizzes.submitted``): first the reports' answered
    questions, committed on their own; then its sealed evidence PDF (rendering takes most of the
    time).

    Each step is idempotent, so a retry after a failure or a crash does no step twice. The
    argument is not called ``attempt_id`` because the result page asks whether *the certificate*
    task for an attempt failed by that name (``lms.background.task_failed_for_good(attempt_id=...)``)."""
    if not attempt_submission_follow_up(attempt_id=submitted_attempt_id):
        return {"attempt": submitted_attempt_id, "gone": True}
    evidence = attempt_evidence_seal(attempt_id=submitted_attempt_id)
    return {"attempt": evidence.attempt_id, "sha256": evidence.sha256}


@task()
def attempt_evidence_seal_task(*, evidence_attempt_id):
    """Seal a submitted attempt's evidence PDF in the background. Queued by the submissions made
    before ``attempt_submitted_task`` took over, which wrote their answered questions themselves:
    kept so that such a task still waiting in the queue runs.

    Idempotent, so a retry after a crash stores no second copy."""
    evidence = attempt_evidence_seal(attempt_id=evidence_attempt_id)
    return {"attempt": evidence.attempt_id, "sha256": evidence.sha256}
