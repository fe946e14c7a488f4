"""What quizzes hand to the layer above, which owns the work they cause.

``attempt_passed`` is sent inside the transaction that records a pass, with ``attempt_id``, so
that what it causes is written with the pass or not at all. Its one receiver,
``certificates.handoffs.attempt_passed_received``, queues the certificate task with
``lms.background.task_enqueue_on_commit``: the task exists once the pass commits, and never for a
pass that rolled back. quizzes never imports certificates (docs/architecture.md).

``content_approved_received`` is quizzes' side of ``modules.handoffs.content_approved``."""

from django.dispatch import Signal

attempt_passed = Signal()


def content_approved_received(sender, *, obj, user, **kwargs):
    # quizzes.services imports this module (for attempt_passed), so not at the top.
    from .models import Quiz  # noqa: PLC0415
    from .services import quiz_questions_approve  # noqa: PLC0415

    if isinstance(obj, Quiz):
        quiz_questions_approve(quiz=obj, user=user)
