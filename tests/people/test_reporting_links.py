"""The stored reporting links (people.models.ReportingLink) that managers' lines are read from:
database triggers on the person table keep them, whatever writes a line manager, and refuse a
loop. Each case here starts from a random tree and makes random changes to it, and after each
change the links must be exactly what the line managers give, worked out here in Python."""

import datetime
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from people.models import Person, ReportingLink
from people.selectors import reporting_line_ids, reporting_links_differences
from people.services import reporting_links_rebuild

SIZE = 7
FIRST_ID = 9_000_001  # explicit ids, so that a report can be inserted before its manager


def links_from(managers):
    """``{(manager, person): depth}`` for a tree given as ``{person: manager or None}``."""
    links = {}
    for person in managers:
        above, depth = managers[person], 1
        while above is not None:
            links[(above, person)] = depth
            above, depth = managers[above], depth + 1
    return links


def stored_links():
    return {
        (manager, person): depth
        for manager, person, depth in ReportingLink.objects.values_list(
            "manager_id", "person_id", "depth"
        )
    }


def tree_now():
    return dict(Person.objects.values_list("pk", "line_manager_id"))


def below(managers, person):
    return {p for (m, p) in links_from(managers) if m == person}


def people_insert(*, managers, order):
    """Insert the people of ``managers`` in one bulk insert, in ``order``: a report may come
    before their manager, as the foreign keys are checked at commit."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"link-{pk}") for pk in order
    )
    Person.objects.bulk_create(
        Person(pk=pk, user=user, line_manager_id=managers[pk])
        for pk, user in zip(order, users, strict=True)
    )


changes = st.lists(
    st.tuples(
        st.sampled_from(["move", "move several", "clear", "delete"]),
        st.integers(0, SIZE - 1),
        st.integers(0, SIZE - 1),
        st.integers(0, 2**32),
    ),
    max_size=12,
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), changes=changes)
def test_the_links_follow_every_change_of_line_manager(seed, changes):
    rng = random.Random(seed)
    ids = [FIRST_ID + n for n in range(SIZE)]
    ranked = rng.sample(ids, SIZE)  # each person's manager ranks above them: a tree
    managers = {
        person: (rng.choice(ranked[:rank]) if rank and rng.random() < 0.8 else None)
        for rank, person in enumerate(ranked)
    }
    with transaction.atomic():
        people_insert(managers=managers, order=rng.sample(ids, SIZE))
        assert stored_links() == links_from(managers)
        for kind, first, second, more in changes:
            managers = tree_now()
            if not managers:
                break
            present = sorted(managers)
            person = present[first % len(present)]
            manager = present[second % len(present)]
            if kind == "clear":
                Person.objects.filter(pk=person).update(line_manager=None)
            elif kind == "delete":
                Person.objects.get(pk=person).delete()
            else:
                movers = [person]
                if kind == "move several":
                    movers += random.Random(more).sample(present, min(2, len(present)))
                movers = sorted(set(movers))
                loops = any(manager == m or manager in below(managers, m) for m in movers)
                if loops:
                    with pytest.raises(IntegrityError), transaction.atomic():
                        Person.objects.filter(pk__in=movers).update(line_manager=manager)
                else:
                    Person.objects.filter(pk__in=movers).update(line_manager=manager)
            assert stored_links() == links_from(tree_now()), (kind, person, manager)
        assert reporting_links_differences() == {}
        transaction.set_rollback(True)


def test_a_person_saved_with_a_new_manager_takes_their_reports_along(people):
    lead, deep = people["lead"], people["deep"]
    lead.line_manager = people["other_manager"]
    lead.save()
    assert reporting_line_ids(manager=people["other_manager"]) == {
        people["other_staff"].pk,
        lead.pk,
        deep.pk,
    }
    assert reporting_line_ids(manager=people["manager"]) == {people["staff"].pk}
    assert ReportingLink.objects.get(manager=people["other_manager"], person=deep).depth == 2


def test_someone_who_left_is_not_shown_but_their_reports_still_are(people):
    Person.objects.filter(pk=people["lead"].pk).update(left_on=datetime.date(2026, 1, 31))
    assert reporting_line_ids(manager=people["manager"]) == {
        people["staff"].pk,
        people["deep"].pk,
    }


def test_the_check_finds_links_gone_wrong_and_the_rebuild_mends_them(people):
    call_command("reporting_links", "--check")  # agree: no error
    ReportingLink.objects.filter(person=people["deep"], manager=people["manager"]).update(depth=5)
    ReportingLink.objects.filter(person=people["staff"]).delete()
    ReportingLink.objects.create(manager=people["other_manager"], person=people["auditor"], depth=1)
    assert reporting_links_differences() == {
        (people["manager"].pk, people["deep"].pk): (5, 2),
        (people["manager"].pk, people["staff"].pk): (None, 1),
        (people["other_manager"].pk, people["auditor"].pk): (1, None),
    }
    with pytest.raises(CommandError, match="3 reporting link"):
        call_command("reporting_links", "--check")
    assert reporting_links_rebuild() == len(links_from(tree_now()))
    assert stored_links() == links_from(tree_now())
    call_command("reporting_links", "--check")
