"""What quizzes hand to the layer above, which owns the work they cause.

``attempt_passed`` is sent once the transaction that recorded a pass has committed, with
``attempt_id``. Its one receiver, ``certificates.handoffs.attempt_passed_received``, queues the
certificate task. quizzes never imports certificates (docs/architecture.md)."""

from django.dispatch import Signal

attempt_passed = Signal()
