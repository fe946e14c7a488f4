"""The tracking app's side of the clause hand-off (``modules.handoffs.clause_revised``)."""

from .services import clause_revision_carry_through


def clause_revised_received(sender, *, replaced_clause, by, **kwargs):
    clause_revision_carry_through(replaced_clause=replaced_clause, by=by)
