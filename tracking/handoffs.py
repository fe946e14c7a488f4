"""The tracking app's side of the hand-offs from the layers below (``modules.handoffs``)."""

from .facts import module_status_facts_refresh
from .services import clause_revision_carry_through


def clause_revised_received(sender, *, replaced_clause, by, **kwargs):
    clause_revision_carry_through(replaced_clause=replaced_clause, by=by)


def learner_records_written_received(sender, *, person_ids, module_ids, **kwargs):
    module_status_facts_refresh(person_ids=person_ids, module_ids=module_ids)
