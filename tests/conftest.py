import contextlib

import pytest

from lms import roles
from modules.services import roles_sync
from people.services import person_create, team_get_or_create
from tests.factories import (
    OrganisationFactory,
    PolicyClauseFactory,
    QuizFactory,
    module_page_create,
    single_choice_create,
    true_false_create,
)

PASSWORD = "correct-horse-battery"


def pytest_runtest_setup(item):
    """The one way to say a test needs PostgreSQL: ``@pytest.mark.postgres``. On SQLite it is
    skipped, saying why; `.ci/run` runs the suite again on PostgreSQL, where it runs."""
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip(
                "needs PostgreSQL (row locks, concurrent writers or its triggers); "
                "run with DATABASE_URL=postgres://... as CI does"
            )


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    # Polymorphic lookups cache ContentTypes; ids differ between test databases.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate-limit counters live in the cache; one test's failures must not lock out the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class PinnedClock:
    """A clock that stays where a test puts it."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture(autouse=True)
def rate_limit_clock(monkeypatch):
    """The rate limits count per fixed window of the clock. Held at the start of a window, a
    test's requests all fall in one window, however slow the machine; a test moves it on with
    ``rate_limit_clock.now += seconds``."""
    clock = PinnedClock(1_800_000_000.0)
    monkeypatch.setattr("certificates.ratelimit.clock", clock)
    return clock


@pytest.fixture
def wagtail_root(db):
    """Wagtail's default locale, root page and root collection come from its data migrations. A
    transactional test's flush deletes them (Django's flush re-creates only content types and
    permissions), so the services put them back when they are missing."""
    from modules.services import wagtail_root_ensure

    return wagtail_root_ensure()


@pytest.fixture
def role_groups(wagtail_root):
    return roles_sync()


def _person(username, role_names, manager=None, team="Family court team"):
    return person_create(
        username=username,
        first_name=username.split(".")[0].title(),
        last_name=username.split(".")[-1].title(),
        email=f"{username}@example.org",
        password=PASSWORD,
        roles_held=role_names,
        line_manager=manager,
        team=team_get_or_create(name=team),
        organisation=OrganisationFactory(),
    )


@pytest.fixture
def people(role_groups):
    """A small organisation: manager -> (staff, lead -> (deep)), and people outside that line."""
    return people_make()


def people_make():
    """The ``people`` fixture's organisation, for fixtures that make it once for many tests."""
    manager = _person("maria.manager", [roles.STAFF, roles.LINE_MANAGERS])
    staff = _person("sam.staff", [roles.STAFF], manager)
    lead = _person("lee.lead", [roles.STAFF, roles.LINE_MANAGERS], manager)
    deep = _person("rita.report", [roles.STAFF], lead)
    other_manager = _person("olu.other", [roles.STAFF, roles.LINE_MANAGERS], team="Other team")
    other_staff = _person("oscar.other", [roles.STAFF], other_manager, team="Other team")
    author = _person("alex.author", [roles.AUTHORS], team="L&D")
    auditor = _person("ada.auditor", [roles.AUDITORS], team="QA")
    return {
        "manager": manager,
        "staff": staff,
        "lead": lead,
        "deep": deep,
        "other_manager": other_manager,
        "other_staff": other_staff,
        "author": author,
        "auditor": auditor,
    }


@pytest.fixture
def reviewer(role_groups):
    """An L&D reviewer (outside ``people``, whose head counts other tests rely on)."""
    return _person("rosa.reviewer", [roles.REVIEWERS], team="L&D")


@pytest.fixture
def author_reviewer(role_groups):
    """Someone who holds both L&D roles: writes, and reviews other people's work."""
    return _person("bo.both", [roles.AUTHORS, roles.REVIEWERS], team="L&D")


@pytest.fixture
def clause(db):
    return PolicyClauseFactory(reference="2.19")


@pytest.fixture
def module(clause, wagtail_root):
    return module_page_create(clause=clause)


@pytest.fixture
def quiz(module, clause):
    """Three questions of two types; option 0 is right in each single-choice question, True in the true/false."""
    return quiz_make(module=module, clause=clause)


def quiz_make(*, module, clause):
    """The ``quiz`` fixture's quiz, for fixtures that make it once for many tests."""
    quiz = QuizFactory(module=module)
    single_choice_create(quiz=quiz, clause=clause, text="First question?", sort_order=0)
    single_choice_create(quiz=quiz, clause=clause, text="Second question?", sort_order=1)
    true_false_create(quiz=quiz, clause=clause, answer=True, sort_order=2)
    return quiz


@contextlib.contextmanager
def rows_shared_by_a_module(django_db_blocker, *, make):
    """Rows made once for many tests, as Django's ``TestCase.setUpTestData`` makes them for a
    class: ``make()`` runs inside a transaction, the block gets what it returns, and everything
    is rolled back when the block ends (after the module's last test, for a module fixture).
    Each test's own transaction (the ``db`` fixture) nests inside as a savepoint, so what one
    test writes is gone before the next. Tests must take copies of the shared model instances
    (``copy.deepcopy``), so that one test's changes in memory do not reach the next either.

    pytest tears a module's fixtures down before a worker runs another module's test, so no
    other test ever sees these rows."""
    from django.db import transaction

    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            made = make()
        yield made
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def client_for(client):
    """Log the test client in as a person: ``client_for(people['staff'])``."""

    def login(person):
        client.force_login(person.user)
        return client

    return login


@pytest.fixture
def passes_issue_nothing():
    """A pass that hands nothing on to the certificates app (quizzes.handoffs), so that a test can
    run the certificate task itself, under the conditions it sets."""
    from certificates.handoffs import attempt_passed_received
    from quizzes.handoffs import attempt_passed

    attempt_passed.disconnect(dispatch_uid="certificates.attempt_passed")
    yield
    attempt_passed.connect(attempt_passed_received, dispatch_uid="certificates.attempt_passed")


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _module_status_facts_agree(request):
    """After every test that used the database, the stored facts the dashboard and reports read
    (``tracking.facts``) say what the records say: a write that forgets its hand-off fails the
    test that made it, whichever test that is. The same for the stored reporting links and the
    managers' kept headlines."""
    uses_database = request.node.get_closest_marker("django_db") or (
        DATABASE_FIXTURES & set(request.fixturenames)
    )
    if not uses_database:
        yield
        return
    # The database first, so that this check runs before the test's changes are rolled back.
    request.getfixturevalue("_django_db_helper")
    yield
    from django.db import connection

    from tracking.facts import module_status_facts_differences

    if connection.needs_rollback:
        return  # the test ended inside a failed transaction (it expected a database error)

    differences = module_status_facts_differences()
    assert differences == {}, (
        "ModuleStatusFacts disagree with the records ((person, module): (stored, worked out)); "
        "a write did not send modules.handoffs.learner_records_written"
    )
    # And the stored reporting links say what the line managers say, however the test wrote them.
    from people.selectors import reporting_links_differences

    links = reporting_links_differences()
    assert links == {}, (
        "ReportingLink disagrees with the line managers ((manager, person): (stored, tree))"
    )
    # And every manager's kept headline that would be shown today is what counting gives now.
    from django.utils import timezone

    from tracking.headlines import line_headlines_differences
    from tracking.selectors import modules_for_tracking

    headlines = line_headlines_differences(
        modules=list(modules_for_tracking()), today=timezone.localdate()
    )
    assert headlines == {}, (
        "LineHeadline holds figures that counting does not give (manager: (kept, counted)); "
        "a change to what it rests on did not move its epoch or generation on"
    )
    # And every kept dashboard view that would be shown today is what drawing it again gives.
    from tracking.kept_view import line_views_differences

    views = line_views_differences(modules=list(modules_for_tracking()), today=timezone.localdate())
    assert views == {}, (
        f"A kept dashboard view is not what drawing it again gives (managers {sorted(views)}); "
        "a change to what it shows did not change what it is kept against"
    )


@pytest.fixture(autouse=True)
def _reference_index_left_to_its_own_tests(request):
    """Wagtail records after every save of a page, question or clause what it refers to (its
    reference index, which the admin's usage view of a policy clause reads; nothing of ours
    does). The test settings run tasks at once, so every save paid for that record in the test:
    a fifth of a typical test's time on PostgreSQL (tests/quizzes: 228 s against 175 s). Left
    out here, in the test's own thread; tests marked ``reference_index`` keep it
    (tests/modules/test_reference_index.py: our blocks and questions are indexed), and so does
    the live server's thread behind the browser tests."""
    if request.node.get_closest_marker("reference_index"):
        yield
        return
    from wagtail.signal_handlers import disable_reference_index_auto_update

    with disable_reference_index_auto_update():
        yield


@pytest.fixture(scope="module")
def _shipped_content_once(django_db_setup, django_db_blocker):
    from quizzes.content_import import content_load

    with rows_shared_by_a_module(django_db_blocker, make=content_load) as loaded:
        yield loaded


@pytest.fixture
def shipped(db, _shipped_content_once):
    """What loading the shipped content (modules/content/) reported: loaded once for each test
    module that asks (about five seconds a load), each test's own changes rolled back after it."""
    return _shipped_content_once
