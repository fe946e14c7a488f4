"""What the policy library hands to the layers above it, which own the work it causes.

``clause_revised`` is sent inside the transaction that publishes a new version of a clause, with
``replaced_clause`` (the old version) and ``by`` (the user). Its one receiver,
``tracking.handoffs.clause_revised_received``, marks the certificates that rested on the old
version "recertification due" and assigns their modules again; an error there undoes the
revision. modules imports neither certificates nor tracking (docs/architecture.md)."""

from django.dispatch import Signal

clause_revised = Signal()
content_approved = Signal()
