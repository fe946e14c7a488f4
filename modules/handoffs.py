"""What the policy library hands to the layers above it, which own the work it causes.

``clause_revised`` is sent inside the transaction that publishes a new version of a clause, with
``replaced_clause`` (the old version) and ``by`` (the user). Its one receiver,
``tracking.handoffs.clause_revised_received``, marks the certificates that rested on the old
version "recertification due" and assigns their modules again; an error there undoes the
revision. modules imports neither certificates nor tracking (docs/architecture.md).

``learner_records_written`` is sent inside the transaction that writes a record a learner's
status in a module rests on (modules: opening it; quizzes: a submission; certificates: issuing one
or changing its status), with ``person_ids`` and ``module_ids``. Its one receiver,
``tracking.handoffs.learner_records_written_received``, works out those people's
``ModuleStatusFacts`` for those modules again; an error there undoes the write, so the facts never
disagree with the records."""

from django.dispatch import Signal

clause_revised = Signal()
content_approved = Signal()
learner_records_written = Signal()
