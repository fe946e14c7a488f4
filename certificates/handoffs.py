"""The certificates app's side of the pass hand-off (``quizzes.handoffs.attempt_passed``)."""

from .tasks import certificate_issue_task


def attempt_passed_received(sender, *, attempt_id, **kwargs):
    certificate_issue_task.enqueue(attempt_id=attempt_id)
