"""The demo organisations that `make run` serves: one account per role and a small reporting line.

Whose policy applies is visible in it: most people work for Cafcass, whose own policies are the
Cafcass set (the Cafcass policy and community guidelines, and the staff guidance written for
Cafcass and Probation workers); two work for Hertfordshire County Council, whose own policy is
the Hertfordshire chapter. Each is asked only about their own organisation's policies."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from lms import roles
from modules.models import ModulePage
from modules.services import roles_sync
from people.services import organisation_ensure, person_create, team_get_or_create

from .models import Assignment
from .services import assignment_create

DEMO_PASSWORD = "learn-social-media"  # noqa: S105  (demo accounts only, printed by make run)

# The codes and names of the shipped content's organisations (modules/content/policies.json).
DEMO_ORGANISATIONS = {"cafcass": "Cafcass", "hertfordshire": "Hertfordshire County Council"}
HERTFORDSHIRE_PEOPLE = {"hana.herts", "hugo.herts"}

# username, first, last, roles, manager username, team, job title
DEMO_PEOPLE = [
    (
        "maria.manager",
        "Maria",
        "Okafor",
        [roles.STAFF, roles.LINE_MANAGERS],
        None,
        "Family court team",
        "Service manager",
    ),
    (
        "sam.staff",
        "Sam",
        "Patel",
        [roles.STAFF],
        "maria.manager",
        "Family court team",
        "Family court adviser",
    ),
    (
        "amy.adviser",
        "Amy",
        "Nowak",
        [roles.STAFF],
        "maria.manager",
        "Family court team",
        "Family court adviser",
    ),
    (
        "lee.lead",
        "Lee",
        "Brennan",
        [roles.STAFF, roles.LINE_MANAGERS],
        "maria.manager",
        "Adoption team",
        "Practice lead",
    ),
    (
        "rita.report",
        "Rita",
        "Hughes",
        [roles.STAFF],
        "lee.lead",
        "Adoption team",
        "Adoption social worker",
    ),
    (
        "tom.trainee",
        "Tom",
        "Adeyemi",
        [roles.STAFF],
        "lee.lead",
        "Adoption team",
        "Social work apprentice",
    ),
    (
        "olu.other",
        "Olu",
        "Mensah",
        [roles.STAFF, roles.LINE_MANAGERS],
        None,
        "Children in care team",
        "Team manager",
    ),
    (
        "hana.herts",
        "Hana",
        "Kowalski",
        [roles.STAFF, roles.LINE_MANAGERS],
        None,
        "Hertfordshire children's services",
        "Team manager",
    ),
    (
        "hugo.herts",
        "Hugo",
        "Lindqvist",
        [roles.STAFF],
        "hana.herts",
        "Hertfordshire children's services",
        "Social worker",
    ),
    (
        "alex.author",
        "Alex",
        "Reid",
        [roles.AUTHORS],
        None,
        "Learning and development",
        "Learning designer",
    ),
    (
        "ada.auditor",
        "Ada",
        "Lovell",
        [roles.AUDITORS],
        None,
        "Quality assurance",
        "Practice auditor",
    ),
]

DEMO_LOGINS = [
    ("Staff member (Cafcass: asked about the Cafcass policies)", "sam.staff"),
    ("Staff member (Hertfordshire County Council: asked about its own policy)", "hugo.herts"),
    ("Line manager (3 direct reports; Lee has reports of their own)", "maria.manager"),
    ("L&D author (Wagtail admin at /admin/)", "alex.author"),
    ("Auditor", "ada.auditor"),
    ("Administrator (Wagtail superuser)", "admin"),
]


def demo_load():
    """Create the demo accounts that are missing. Idempotent."""
    roles_sync()
    organisations = {
        code: organisation_ensure(code=code, name=name) for code, name in DEMO_ORGANISATIONS.items()
    }
    users = get_user_model().objects
    people = {}
    for username, first, last, role_names, manager, team_name, job_title in DEMO_PEOPLE:
        organisation = organisations[
            "hertfordshire" if username in HERTFORDSHIRE_PEOPLE else "cafcass"
        ]
        existing = users.filter(username=username).select_related("person").first()
        if existing is not None:
            people[username] = existing.person
            if existing.person.organisation_id is None:  # a demo loaded before organisations
                existing.person.organisation = organisation
                existing.person.save(update_fields=["organisation"])
            continue
        people[username] = person_create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            password=DEMO_PASSWORD,
            roles_held=role_names,
            line_manager=people.get(manager),
            team=team_get_or_create(name=team_name),
            job_title=job_title,
            organisation=organisation,
        )
    if not users.filter(username="admin").exists():
        users.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
    demo_assignments_load(people=people)
    return people


# How long ago each demo person started, so the dashboard shows a spread of due dates: Tom
# started 40 days ago and is overdue; Sam started last week.
DEMO_STARTED_DAYS_AGO = {"sam.staff": 7, "tom.trainee": 40, "amy.adviser": 400, "rita.report": 900}


def demo_assignments_load(*, people):
    """Every live module is due within 30 days of starting for everyone, and the Adoption team
    must also complete the first module by a fixed date. Idempotent."""
    today = timezone.localdate()
    for username, days_ago in DEMO_STARTED_DAYS_AGO.items():
        person = people.get(username)
        if person is not None and person.start_date is None:
            person.start_date = today - datetime.timedelta(days=days_ago)
            person.save(update_fields=["start_date"])
    modules = list(ModulePage.objects.live().order_by("path"))
    for module in modules:
        if not Assignment.objects.filter(
            module=module, audience=Assignment.Audience.EVERYONE
        ).exists():
            assignment_create(
                module=module, due_within_days=30, assigned_on=today - datetime.timedelta(days=60)
            )
    adoption = team_get_or_create(name="Adoption team")
    if modules and not Assignment.objects.filter(team=adoption).exists():
        assignment_create(
            module=modules[0],
            audience=Assignment.Audience.TEAM,
            team=adoption,
            due_on=today + datetime.timedelta(days=5),
        )
