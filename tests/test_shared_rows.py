"""The suite's shared rows (``tests.conftest.rows_shared_by_a_module``) never outlive their module:
what a module's fixture made, and what its tests wrote inside, is rolled back when the block
ends, even when making the rows failed half-way; and each test inside sees the shared rows but
not what the test before it wrote."""

import pytest

from django.db import connection, transaction

from people.models import Team
from tests.conftest import rows_shared_by_a_module

# Transactional: no transaction of the test's own around the block, as around a module fixture.
pytestmark = pytest.mark.django_db(transaction=True)


def _team_names(django_db_blocker):
    with django_db_blocker.unblock():
        return set(Team.objects.filter(name__startswith="Shared ").values_list("name", flat=True))


def test_the_shared_rows_and_what_tests_wrote_are_gone_after_the_block(
    django_db_setup, django_db_blocker
):
    def make():
        return Team.objects.create(name="Shared for the module")

    with rows_shared_by_a_module(django_db_blocker, make=make) as shared:
        assert shared.name == "Shared for the module"
        with django_db_blocker.unblock():
            # Two tests in turn, as the db fixture runs them: a savepoint each, rolled back.
            for test in ("first", "second"):
                with transaction.atomic():
                    seen = set(
                        Team.objects.filter(name__startswith="Shared ").values_list(
                            "name", flat=True
                        )
                    )
                    assert seen == {"Shared for the module"}, f"the {test} test saw {seen}"
                    Team.objects.create(name=f"Shared by the {test} test")
                    transaction.set_rollback(True)
    assert _team_names(django_db_blocker) == set()
    assert not connection.in_atomic_block


def test_rows_made_before_a_failure_are_rolled_back_too(django_db_setup, django_db_blocker):
    def make():
        Team.objects.create(name="Shared before the failure")
        raise RuntimeError("making the shared rows failed half-way")

    with (
        pytest.raises(RuntimeError, match="half-way"),
        rows_shared_by_a_module(django_db_blocker, make=make),
    ):
        pass
    assert _team_names(django_db_blocker) == set()
    assert not connection.in_atomic_block
