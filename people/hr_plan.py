"""What an HR file would do to the people on the platform, worked out before anything is saved.

The plan is what the admin shows as the preview and what the import then applies: nothing else.
Its ``digest`` names the file and every line of the plan, so a confirmation given for one preview
can be checked against the plan the database gives at the moment of saving."""

import hashlib
import json
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress

from django.contrib.auth.models import Group

from lms import roles
from lms.names import user_display_name

from .models import Person

# Marking more than this share of the active people as left needs a second, explicit confirmation.
LEAVERS_CONFIRMATION_SHARE = 0.10


@dataclass(frozen=True)
class PlannedPerson:
    employee_number: str
    name: str
    details: tuple[str, ...] = ()  # what changes, in words: "team: A → B"


@dataclass(frozen=True)
class PeopleImportPlan:
    file_sha256: str
    full_extract: bool
    adds: tuple[PlannedPerson, ...]
    changes: tuple[PlannedPerson, ...]
    unchanged: int
    leavers: tuple[PlannedPerson, ...]
    role_changes: tuple[PlannedPerson, ...]
    active_people: int
    matched: dict = field(default_factory=dict, compare=False, repr=False)  # number -> Person

    @property
    def leavers_need_confirmation(self):
        return len(self.leavers) > LEAVERS_CONFIRMATION_SHARE * self.active_people

    @property
    def digest(self):
        """SHA-256 of the file and of everything the preview shows."""
        content = {
            "file": self.file_sha256,
            "full_extract": self.full_extract,
            **{
                name: [[p.employee_number, p.name, list(p.details)] for p in getattr(self, name)]
                for name in ("adds", "changes", "leavers", "role_changes")
            },
            "unchanged": self.unchanged,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def file_sha256(data):
    return hashlib.sha256(data).hexdigest()


def _matched_people(rows):
    """The person each row is about: by employee number, or else (for an account never imported)
    by an e-mail address the organisation gave it."""
    by_number = {
        person.employee_number: person
        for person in Person.objects.filter(
            employee_number__in=[row.employee_number for row in rows]
        ).select_related("user", "team", "line_manager", "organisation")
    }
    by_email = {
        address.email.lower(): address.user.person
        for address in EmailAddress.objects.filter(
            email__in=[row.email for row in rows],
            verified=True,
            user__person__isnull=False,
            user__person__employee_number__isnull=True,
        ).select_related(
            "user__person__team", "user__person__line_manager", "user__person__organisation"
        )
    }
    return {
        row.employee_number: by_number.get(row.employee_number) or by_email.get(row.email)
        for row in rows
    }


def _differences(row, person):
    user = person.user
    before = {
        "first name": user.first_name,
        "last name": user.last_name,
        "email": user.email.lower(),
        "team": person.team.name if person.team else "",
        "job title": person.job_title,
        "start date": person.start_date.isoformat() if person.start_date else "",
        "line manager": person.line_manager.employee_number if person.line_manager else "",
        "employee number": person.employee_number or "",
        "organisation": person.organisation.code if person.organisation else "",
    }
    after = {
        "first name": row.first_name,
        "last name": row.last_name,
        "email": row.email,
        "team": row.team,
        "job title": row.job_title,
        "start date": row.start_date.isoformat(),
        "line manager": row.line_manager_employee_number,
        "employee number": row.employee_number,
        # A blank organisation in the file leaves the person's as it is.
        "organisation": row.organisation or before["organisation"],
    }
    details = [
        f"{name}: {before[name] or '(none)'} → {after[name] or '(none)'}"
        for name in before
        if before[name] != after[name]
    ]
    if person.left_on or not user.is_active:
        details.append("returns: no longer marked as left")
    return tuple(details)


def hr_plan_build(*, rows, data, full_extract):
    """The plan for checked ``rows`` of the file ``data`` (bytes). Leavers are only planned for a
    file declared a full extract: a partial file never marks anyone as left."""
    matched = _matched_people(rows)
    adds, changes, unchanged = [], [], 0
    for row in rows:
        person = matched[row.employee_number]
        name = f"{row.first_name} {row.last_name}"
        if person is None:
            adds.append(PlannedPerson(row.employee_number, name, (f"team: {row.team}",)))
            continue
        details = _differences(row, person)
        if details:
            changes.append(PlannedPerson(row.employee_number, name, details))
        else:
            unchanged += 1
    leavers = []
    if full_extract:
        leavers = [
            PlannedPerson(person.employee_number, user_display_name(person.user))
            for person in Person.objects.filter(employee_number__isnull=False, left_on__isnull=True)
            .exclude(employee_number__in=[row.employee_number for row in rows])
            .select_related("user")
            .order_by("employee_number")
        ]
    managers_now = set(
        Group.objects.filter(name=roles.LINE_MANAGERS).values_list("user__person__pk", flat=True)
    )
    row_names = {row.employee_number: f"{row.first_name} {row.last_name}" for row in rows}
    role_changes = [
        PlannedPerson(number, row_names[number], (f"becomes one of the {roles.LINE_MANAGERS}",))
        for number in sorted({row.line_manager_employee_number for row in rows} - {""})
        if matched[number] is None or matched[number].pk not in managers_now
    ]
    return PeopleImportPlan(
        file_sha256=file_sha256(data),
        full_extract=full_extract,
        adds=tuple(adds),
        changes=tuple(changes),
        unchanged=unchanged,
        leavers=tuple(leavers),
        role_changes=tuple(role_changes),
        active_people=Person.objects.filter(left_on__isnull=True, user__is_active=True).count(),
        matched=matched,
    )
