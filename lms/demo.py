"""The demo organisation that `make run` serves: one account per role and a small reporting line."""

from django.contrib.auth import get_user_model

from . import roles
from .services import person_create, roles_sync, team_get_or_create

DEMO_PASSWORD = "learn-social-media"  # noqa: S105  (demo accounts only, printed by make run)

# username, first, last, roles, manager username, team, job title
DEMO_PEOPLE = [
    ("maria.manager", "Maria", "Okafor", [roles.STAFF, roles.LINE_MANAGERS], None, "Family court team", "Service manager"),
    ("sam.staff", "Sam", "Patel", [roles.STAFF], "maria.manager", "Family court team", "Family court adviser"),
    ("amy.adviser", "Amy", "Nowak", [roles.STAFF], "maria.manager", "Family court team", "Family court adviser"),
    ("lee.lead", "Lee", "Brennan", [roles.STAFF, roles.LINE_MANAGERS], "maria.manager", "Adoption team", "Practice lead"),
    ("rita.report", "Rita", "Hughes", [roles.STAFF], "lee.lead", "Adoption team", "Adoption social worker"),
    ("tom.trainee", "Tom", "Adeyemi", [roles.STAFF], "lee.lead", "Adoption team", "Social work apprentice"),
    ("olu.other", "Olu", "Mensah", [roles.STAFF, roles.LINE_MANAGERS], None, "Children in care team", "Team manager"),
    ("alex.author", "Alex", "Reid", [roles.AUTHORS], None, "Learning and development", "Learning designer"),
    ("ada.auditor", "Ada", "Lovell", [roles.AUDITORS], None, "Quality assurance", "Practice auditor"),
]

DEMO_LOGINS = [
    ("Staff member", "sam.staff"),
    ("Line manager (3 direct reports; Lee has reports of their own)", "maria.manager"),
    ("L&D author (Wagtail admin at /admin/)", "alex.author"),
    ("Auditor", "ada.auditor"),
    ("Administrator (Wagtail superuser)", "admin"),
]


def demo_load():
    """Create the demo accounts that are missing. Idempotent."""
    roles_sync()
    users = get_user_model().objects
    people = {}
    for username, first, last, role_names, manager, team_name, job_title in DEMO_PEOPLE:
        existing = users.filter(username=username).select_related("person").first()
        if existing is not None:
            people[username] = existing.person
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
        )
    if not users.filter(username="admin").exists():
        users.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
    return people
