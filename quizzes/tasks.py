from django_tasks import task

from .evidence import attempt_evidence_seal


@task()
def attempt_evidence_seal_task(*, evidence_attempt_id):
    """Seal a submitted attempt's evidence PDF in the background (rendering takes about a second).

    Idempotent, so a retry after a crash stores no second copy. The argument is not called
    ``attempt_id`` because the result page asks whether *the certificate* task for an attempt
    failed by that name (``lms.background.task_failed_for_good(attempt_id=...)``)."""
    evidence = attempt_evidence_seal(attempt_id=evidence_attempt_id)
    return {"attempt": evidence.attempt_id, "sha256": evidence.sha256}
