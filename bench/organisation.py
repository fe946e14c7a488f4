"""A made-up organisation of any size, for benchmarks and for the query-count tests.

Everything it makes is marked: employee numbers and usernames start with ``GEN-``/``gen-`` and
e-mails end in ``@example.invalid``. Running it again with a larger ``people`` adds the missing
people; with the same or a smaller number it adds nothing (it never deletes)."""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from certificates.models import Certificate
from lms import roles
from modules.models import ModulePage
from people.models import Person, Team
from quizzes.models import Attempt, Quiz
from tracking.facts import module_status_facts_rebuild
from tracking.models import Assignment

PREFIX = "GEN-"
AREAS, UNITS_PER_AREA = 10, 10


@dataclass(frozen=True)
class GeneratedOrganisation:
    created: int
    total: int
    top_manager: Person
    certificates: int
    attempts: int


def _manager_index(index, fanout):
    return (index - 2) // fanout + 1 if index > 1 else None


def _has_reports(index, fanout, people):
    return (index - 1) * fanout + 2 <= people


def _employee_number(index):
    return f"{PREFIX}{index:06d}"


def _teams():
    directorate = Team.objects.get_or_create(name="Generated directorate")[0]
    units = []
    for area_number in range(AREAS):
        area = Team.objects.get_or_create(
            name=f"Generated area {area_number}", defaults={"parent": directorate}
        )[0]
        for unit_number in range(UNITS_PER_AREA):
            units.append(
                Team.objects.get_or_create(
                    name=f"Generated area {area_number} unit {unit_number}",
                    defaults={"parent": area},
                )[0]
            )
    return units


@transaction.atomic
def organisation_generate(*, people, seed=1, fanout=5, batch_size=2000, today=None):
    """Make sure there are ``people`` generated people, person n reporting to person
    (n - 2) // fanout + 1, so the line is about log(people)/log(fanout) deep under GEN-000001."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    units = _teams()
    existing = dict(
        Person.objects.filter(employee_number__startswith=PREFIX).values_list(
            "employee_number", "pk"
        )
    )
    wanted = [index for index in range(1, people + 1) if _employee_number(index) not in existing]
    user_model = get_user_model()
    unusable = make_password(None)
    created_people = []

    def flush(batch):
        users = user_model.objects.bulk_create(
            [
                user_model(
                    username=f"gen-{index:06d}",
                    email=f"gen-{index:06d}@example.invalid",
                    password=unusable,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=f"{rng.choice(LAST_NAMES)} {index}",
                )
                for index in batch
            ]
        )
        persons = [
            Person(
                user=user,
                employee_number=_employee_number(index),
                line_manager_id=existing.get(_employee_number(_manager_index(index, fanout) or 0)),
                team=units[index % len(units)],
                job_title="Team manager"
                if _has_reports(index, fanout, people)
                else "Social worker",
                start_date=today - datetime.timedelta(days=rng.randint(0, 3650)),
            )
            for index, user in zip(batch, users, strict=True)
        ]
        for person in Person.objects.bulk_create(persons):
            existing[person.employee_number] = person.pk
            created_people.append(person)

    batch = []
    for index in wanted:
        manager_number = _employee_number(_manager_index(index, fanout) or 0)
        # A manager must be saved before their reports, so that the report can point at them.
        if batch and (len(batch) >= batch_size or (index > 1 and manager_number not in existing)):
            flush(batch)
            batch = []
        batch.append(index)
    if batch:
        flush(batch)
    _roles_give(people=people, fanout=fanout)
    modules = list(ModulePage.objects.live())
    _assignments_ensure(modules=modules, units=units, today=today)
    certificates, attempts = _records_make(
        people=created_people, modules=modules, rng=rng, today=today
    )
    if created_people:
        # Written in bulk, past the services' hand-offs: the facts the dashboard reads are
        # worked out from them once, as `manage.py module_status_facts_rebuild` would.
        module_status_facts_rebuild()
    return GeneratedOrganisation(
        created=len(created_people),
        total=len(existing),
        top_manager=Person.objects.get(employee_number=_employee_number(1)),
        certificates=certificates,
        attempts=attempts,
    )


def _roles_give(*, people, fanout):
    groups = {
        group.name: group
        for group in Group.objects.filter(name__in=[roles.STAFF, roles.LINE_MANAGERS])
    }
    membership = get_user_model().groups.through
    user_ids = dict(
        Person.objects.filter(employee_number__startswith=PREFIX).values_list(
            "employee_number", "user_id"
        )
    )
    rows = []
    for index in range(1, people + 1):
        user_id = user_ids[_employee_number(index)]
        if roles.STAFF in groups:
            rows.append(membership(user_id=user_id, group_id=groups[roles.STAFF].pk))
        if roles.LINE_MANAGERS in groups and _has_reports(index, fanout, people):
            rows.append(membership(user_id=user_id, group_id=groups[roles.LINE_MANAGERS].pk))
    membership.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)


def _assignments_ensure(*, modules, units, today):
    for module in modules:
        area = units[0].parent
        if not Assignment.objects.filter(
            module=module, audience=Assignment.Audience.TEAM, team=area
        ).exists():
            Assignment.objects.create(
                module=module,
                audience=Assignment.Audience.TEAM,
                team=area,
                due_on=today + datetime.timedelta(days=14),
            )


def _records_make(*, people, modules, rng, today):
    """Some people passed (a passed attempt and its certificate), some failed, the rest not yet."""
    quizzes = {quiz.module_id: quiz for quiz in Quiz.objects.filter(module__in=modules)}
    now = timezone.now()
    passes, failures = [], []
    for person in people:
        for module in modules:
            quiz = quizzes.get(module.pk)
            if quiz is None:
                continue
            roll = rng.random()
            if roll < 0.5:
                attempt = Attempt(
                    person=person,
                    quiz=quiz,
                    pass_mark=quiz.pass_mark,
                    questions=[],
                    answers={},
                    submitted_at=now,
                    passed=True,
                    percent=100,
                    score=1,
                    max_score=1,
                )
                passes.append(
                    (
                        attempt,
                        person,
                        module,
                        today + datetime.timedelta(days=rng.randint(-60, 365)),
                    )
                )
            elif roll < 0.7:
                failures.append(
                    Attempt(
                        person=person,
                        quiz=quiz,
                        pass_mark=quiz.pass_mark,
                        questions=[],
                        answers={},
                        submitted_at=now,
                        passed=False,
                        percent=rng.randint(0, quiz.pass_mark - 1),
                        score=0,
                        max_score=1,
                    )
                )
    # A module certificate rests on a passed attempt (a database constraint), so attempts go first.
    Attempt.objects.bulk_create([attempt for attempt, *_ in passes] + failures, batch_size=2000)
    Certificate.objects.bulk_create(
        [
            Certificate(
                serial=f"{PREFIX}{person.pk}-{module.pk}",
                person=person,
                kind=Certificate.Kind.MODULE,
                module=module,
                attempt=attempt,
                holder_name="Generated person",
                title=module.title,
                scope={},
                issued_at=now,
                expires_on=expires_on,
            )
            for attempt, person, module, expires_on in passes
        ],
        batch_size=2000,
    )
    return len(passes), len(failures)


FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Hamza",
    "Isla",
    "Jack",
    "Kemi",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Yara",
]
LAST_NAMES = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Owen",
    "Patel",
    "Reid",
    "Smith",
    "Taylor",
    "Walsh",
]
