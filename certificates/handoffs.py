"""The certificates app's side of the pass hand-off (``quizzes.handoffs.attempt_passed``)."""

from lms.background import task_enqueue_on_commit

from .tasks import certificate_issue_task


def attempt_passed_received(sender, *, attempt_id, **kwargs):
    task_enqueue_on_commit(certificate_issue_task, attempt_id=attempt_id)
