"""A reporting line whose people have every combination of the facts that decide a status, drawn
at random from a seed: for holding the status in SQL against status_compute, and the dashboard's
database paging against the old build-every-row path."""

import datetime
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from certificates.models import Certificate, CertificateEvent
from modules.models import ModulePage
from people.models import Organisation, Person
from people.services import team_get_or_create
from quizzes.models import Quiz
from tests.factories import (
    OrganisationFactory,
    attempt_make,
    certificate_make,
    facts_refresh,
    module_page_create,
    progress_make,
    single_choice_create,
    true_false_create,
)
from tracking.models import Assignment
from tracking.services import assignment_create

# Few names, in either case, so that sorting meets ties and case.
FIRST_NAMES = ["Ann", "ann", "Bob", "Zoë"]
LAST_NAMES = ["Smith", "smith", "de Vries", "Ng"]
START_OFFSETS = [None, -400, -95, -5, 0, 3]


def _day(today, offset):
    return today + datetime.timedelta(days=offset)


def line_modules(*, clause, today):
    """Four modules: a team assignment within 30 days; everyone by a fixed date two days ago;
    base competence published 100 days ago; base competence with no publication date."""
    team_module = module_page_create(
        clause=clause, title="Team module", slug="team-module", base_competence=False
    )
    fixed_module = module_page_create(
        clause=clause, title="Fixed module", slug="fixed-module", base_competence=False
    )
    base_module = module_page_create(clause=clause, title="Base module", slug="base-module")
    undated_module = module_page_create(
        clause=clause, title="Undated module", slug="undated-module"
    )
    ModulePage.objects.filter(pk=base_module.pk).update(
        first_published_at=timezone.now() - datetime.timedelta(days=100)
    )
    ModulePage.objects.filter(pk=undated_module.pk).update(first_published_at=None)
    modules = [team_module, fixed_module, base_module, undated_module]
    for module in modules:
        module.refresh_from_db()
        Quiz.objects.create(module=module, title=f"{module.title} quiz")
    # The base module's quiz asks about the clause's organisation's policy only, so it refuses
    # the staff of another organisation a start: the module is unavailable to them.
    base_quiz = Quiz.objects.get(module=base_module)
    single_choice_create(quiz=base_quiz, clause=clause, sort_order=0)
    true_false_create(quiz=base_quiz, clause=clause, sort_order=1)
    return modules


def line_make(*, manager, modules, seed, size, today):
    """``size`` people reporting to ``manager`` (some through a middle manager), each with random
    facts for each module. The module-wide assignments are made once per module set."""
    rng = random.Random(seed)
    # Drawn apart from the facts, so that each seed's facts stay what they were.
    organisation_rng = random.Random(seed + 1000)
    own = OrganisationFactory()
    other, _ = Organisation.objects.get_or_create(
        code="northshire", defaults={"name": "Northshire Council"}
    )
    region = team_get_or_create(name="Region")
    patch = team_get_or_create(name="Patch", parent=region)
    elsewhere = team_get_or_create(name="elsewhere")
    teams = [None, region, patch, elsewhere]
    team_module, fixed_module = modules[0], modules[1]
    if not Assignment.objects.filter(module=team_module).exists():
        assignment_create(
            module=team_module,
            audience=Assignment.Audience.TEAM,
            team=region,
            due_within_days=30,
            assigned_on=_day(today, -20),
        )
        assignment_create(module=fixed_module, due_on=_day(today, -2))
    quizzes = {quiz.module_id: quiz for quiz in Quiz.objects.filter(module__in=modules)}
    user_model = get_user_model()
    middle = None
    made = []
    for number in range(size):
        offset = rng.choice(START_OFFSETS)
        user = user_model.objects.create(
            username=f"line-{seed}-{number}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
        )
        person = Person.objects.create(
            user=user,
            team=rng.choice(teams),
            line_manager=middle if middle and rng.random() < 0.5 else manager,
            start_date=None if offset is None else _day(today, offset),
            organisation=organisation_rng.choice([own, own, other]),
        )
        if number == 0:
            middle = person
        for module in modules:
            _facts_make(rng=rng, person=person, module=module, quiz=quizzes[module.pk], today=today)
        made.append(person)
    return made


def _facts_make(*, rng, person, module, quiz, today):
    now = timezone.now()
    window = settings.LMS_EXPIRING_SOON_DAYS
    revocation = rng.choice(["none", "none", "counts", "superseded"])
    if revocation != "none":
        revoked = certificate_make(
            person=person,
            module=module,
            expires_on=_day(today, 200),
            status=Certificate.Status.REVOKED,
            issued_at=now - datetime.timedelta(days=30),
        )
        CertificateEvent.objects.create(
            certificate=revoked,
            at=now + datetime.timedelta(hours=1 if revocation == "counts" else -1),
            actor_name="Test",
            from_status=Certificate.Status.VALID,
            to_status=Certificate.Status.REVOKED,
            reason="Test",
        )
        facts_refresh(person=person, module=module)
    certificate = rng.choice(["none", "none", "valid", "recertification_due"])
    if certificate != "none":
        certificate_make(
            person=person,
            module=module,
            expires_on=_day(today, rng.choice([-1, 0, 1, window, window + 1, 200])),
            status=certificate,
            issued_at=now - datetime.timedelta(days=rng.randint(1, 300)),
        )
        if rng.random() < 0.3:  # an older certificate that the later one replaces
            certificate_make(
                person=person,
                module=module,
                expires_on=_day(today, -50),
                issued_at=now - datetime.timedelta(days=400),
            )
    attempts = rng.choice(["none", "none", "failed", "pending"])
    if attempts == "failed":
        for _ in range(rng.randint(1, 2)):
            attempt_make(person=person, quiz=quiz, passed=False, percent=rng.randint(0, 50))
    elif attempts == "pending":
        attempt_make(person=person, quiz=quiz, passed=True, percent=90)
    if rng.random() < 0.4:
        progress_make(person=person, module=module)
    assignment = rng.choice(["none", "none", "fixed", "relative", "recertification"])
    if assignment == "fixed":
        assignment_create(
            module=module,
            audience=Assignment.Audience.PERSON,
            person=person,
            due_on=_day(today, rng.choice([-1, 0, 1])),
        )
    elif assignment == "relative":
        assignment_create(
            module=module,
            audience=Assignment.Audience.PERSON,
            person=person,
            due_within_days=rng.choice([0, 10]),
            assigned_on=_day(today, rng.choice([-15, 0])),
        )
    elif assignment == "recertification":
        assignment_create(
            module=module,
            audience=Assignment.Audience.PERSON,
            person=person,
            due_on=_day(today, rng.choice([-1, 0, 5])),
            reason=Assignment.Reason.RECERTIFICATION,
        )
