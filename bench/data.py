"""The benchmark's data: the demo content (four modules with quizzes), a generated organisation
(lms.organisation_generator) and a few bench-only accounts. Idempotent, so a second run reuses
the database and only tops it up."""

import copy
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test import Client
from django.utils.crypto import get_random_string

from lms import roles
from modules.models import ModulePage
from modules.selectors import module_steps, module_steps_done
from modules.services import (
    module_decision_record,
    module_progress_start,
    module_step_complete,
    roles_sync,
)
from people.models import Person
from people.services import organisation_ensure
from quizzes.kinds import APPROPRIATE
from quizzes.models import Attempt, Quiz
from quizzes.services import attempt_start
from quizzes.views import ANSWER_PREFIX, FORM_STAMP_FIELD, ITEM_SEPARATOR, form_token_for

from .organisation import organisation_generate

SUBMITTER_PREFIX = "bench-submitter-"
ADMIN_USERNAME = "bench-admin"


@dataclass
class Session:
    """What a load generator needs to act as one person: cookies and the CSRF token."""

    user_id: int
    cookie: str
    csrf: str


@dataclass
class BenchData:
    module: ModulePage
    quiz: Quiz
    viewer: Person
    manager: Person
    manager_line: int
    submitters: list
    certificate_holder: Person
    admin: object


def data_prepare(*, people, dashboard_line, submitters, log):
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)  # the shared cache when Redis is not there
    # Every run, not only into a new database: the loader adds only what is missing, and a bench
    # database made before the shipped content changed would otherwise measure the old quizzes.
    log("loading the shipped content (only what the database is missing)")
    call_command("load_content", verbosity=0)
    roles_sync()
    existing = Person.objects.filter(employee_number__startswith="GEN-").count()
    if existing < people:
        log(f"generating the organisation: {people:,} people ({existing:,} there already)")
    organisation_generate(people=people)
    _statistics_refresh()
    quiz = (
        Quiz.objects.select_related("module")
        .filter(module__live=True)
        .order_by("module__path")
        .first()
    )
    line_sizes = _line_sizes()
    manager_pk, size = min(
        line_sizes.items(), key=lambda item: (abs(item[1] - dashboard_line), item[0])
    )
    manager = Person.objects.select_related("user").get(pk=manager_pk)
    viewer = Person.objects.select_related("user").get(employee_number="GEN-000002")
    return BenchData(
        module=quiz.module.specific,
        quiz=quiz,
        viewer=viewer,
        manager=manager,
        manager_line=size,
        submitters=_submitters_ensure(count=submitters, quiz=quiz),
        # Always the same account, so that the certificate the bench renders is made once.
        certificate_holder=_submitter_ensure(number=0),
        admin=_admin_ensure(),
    )


def _statistics_refresh():
    """PostgreSQL plans from table statistics, which a bulk load leaves stale until autovacuum
    gets round to it; a live system has them, so the benchmark does too. VACUUM as well: the
    figures that cut a reporting line to size do it in a transaction they roll back, and each cut
    leaves tens of thousands of dead rows in the person table, which a server without autovacuum
    (this machine's PostgreSQL runs with it off) keeps from one run to the next: after twenty
    runs the table and its indexes held a million dead rows and the dashboard took half as long
    again. The person table is rewritten (FULL) to give back what earlier runs' cuts left."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM FULL {connection.ops.quote_name(Person._meta.db_table)}")
            cursor.execute("VACUUM ANALYZE")


def dead_rows_remove(model):
    """What autovacuum does between two changes on a live system, at once: after a line cut
    (rolled back, as figure 2's are, or committed and put back, as figure 9's are), the next
    requests must not wade through the dead row versions it left in the indexes they read by, or
    each round of a figure would be slower than the one before it. VACUUM cannot run inside a
    transaction: within one (a test's), the cut's rows are not dead yet and this does nothing."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")


def _line_sizes():
    """Everyone's reporting-line size, from one read of the manager column."""
    manager_of = dict(
        Person.objects.filter(left_on__isnull=True).values_list("pk", "line_manager_id")
    )
    sizes = dict.fromkeys(manager_of, 0)
    for person in manager_of:
        manager, seen = manager_of.get(person), set()
        while manager is not None and manager not in seen:
            seen.add(manager)
            if manager in sizes:
                sizes[manager] += 1
            manager = manager_of.get(manager)
    return {pk: size for pk, size in sizes.items() if size}


def _submitters_ensure(*, count, quiz):
    """``count`` bench accounts that have submitted nothing at ``quiz`` yet, made where there are
    not enough. A learner has a handful of attempts at a quiz (the shipped quizzes allow six
    without passing), and every submission works out its submitter's status from all of them:
    the bench's 50 submitters had collected hundreds each over the runs against one database, so
    that a submission cost 0.6 ms more there than for a generated learner, and more with each run.
    A run's rounds leave each of its submitters a few dozen."""
    submitted = Attempt.objects.filter(person=OuterRef("pk"), quiz=quiz, submitted_at__isnull=False)
    fresh = (
        Person.objects.filter(user__username__startswith=SUBMITTER_PREFIX)
        .exclude(Exists(submitted))
        .select_related("user")
        .order_by("user__username")
    )
    missing = count - fresh.count()
    if missing > 0:
        made = Person.objects.filter(user__username__startswith=SUBMITTER_PREFIX).count()
        for number in range(made, made + missing):
            _submitter_ensure(number=number)
    return list(fresh[:count])


def _submitter_ensure(*, number):
    username = f"{SUBMITTER_PREFIX}{number:04d}"
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "password": make_password(None),
            "first_name": "Bench",
            "last_name": f"Submitter {number}",
            "email": f"{username}@example.invalid",
        },
    )
    if created:
        user.groups.add(Group.objects.get(name=roles.STAFF))
        Person.objects.create(
            user=user,
            employee_number=f"BENCH-{number:04d}",
            organisation=organisation_ensure(code="cafcass", name="Cafcass"),
        )
    return Person.objects.select_related("user").get(user=user)


def _admin_ensure():
    user_model = get_user_model()
    admin, created = user_model.objects.get_or_create(
        username=ADMIN_USERNAME,
        defaults={
            "password": make_password(None),
            "is_superuser": True,
            "is_staff": True,
            "email": "bench-admin@example.invalid",
        },
    )
    admin.groups.add(*Group.objects.filter(name__in=[roles.AUDITORS, roles.STAFF]))
    return admin


def session_for(user):
    """Log in as Django does (a real database session) and pair it with a CSRF secret; Django
    accepts the unmasked 32-character secret as the form token."""
    client = Client()
    client.force_login(user)
    return Session(
        user_id=user.pk, cookie=client.cookies["sessionid"].value, csrf=get_random_string(32)
    )


def cookie_header(session):
    return f"sessionid={session.cookie}; csrftoken={session.csrf}"


def module_steps_walk(*, person, module):
    """Work through the module's steps as the person (first choice at each decision), through the
    services: a quiz starts only once they are done."""
    if module_steps_done(person=person, module=module):
        return
    progress = module_progress_start(person=person, module=module)
    steps = module_steps(progress=progress)
    number = 1
    while number is not None:
        if steps[number - 1].block_type == "decision":
            module_decision_record(progress=progress, number=number, choice_index=0)
        number = module_step_complete(progress=progress, number=number)


def attempts_open(*, quiz, people, per_person):
    """Open attempts to submit: one started through the service, cloned for the rest (a bench
    shortcut past the attempt limits, which would stop a person after a few tries)."""
    already_open = set(
        Attempt.objects.filter(person=people[0], quiz=quiz, submitted_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    # attempt_start hands back an attempt that is already open: that one is someone else's to use.
    module_steps_walk(person=people[0], module=quiz.module)
    prototype = attempt_start(person=people[0], quiz=quiz)
    clones = []
    for person in people:
        for _ in range(per_person):
            clone = copy.copy(prototype)
            clone.pk = None
            clone.id = None
            clone._state = copy.copy(prototype._state)
            clone._state.adding = True
            clone.person = person
            clones.append(clone)
    created = Attempt.objects.bulk_create(clones, batch_size=1000)
    if prototype.pk not in already_open:
        prototype.delete()
    return created


def submission_body(*, attempt, csrf):
    """The form a learner posts, as (field, value) pairs: a valid answer to every question (the
    first option, or every item in its shown order / rated appropriate), the form token, and the
    CSRF token when one is given."""
    fields = [(FORM_STAMP_FIELD, form_token_for(attempt)), ("action", "submit")]
    if csrf:
        fields.append(("csrfmiddlewaretoken", csrf))
    for question in attempt.questions:
        field = f"{ANSWER_PREFIX}{question['id']}"
        options = question.get("options") or []
        if question["type"] == "ordering":
            fields += [
                (f"{field}{ITEM_SEPARATOR}{option['id']}", str(position))
                for position, option in enumerate(options, start=1)
            ]
        elif question["type"] == "scenario_judgement":
            fields += [
                (f"{field}{ITEM_SEPARATOR}{option['id']}", APPROPRIATE) for option in options
            ]
        else:
            fields.append((field, options[0]["id"]))
    return fields
