"""Writes about people: accounts, the organisation's e-mail addresses, teams, the HR import and
the role groups."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from lms import roles
from lms.audit import PEOPLE_IMPORTED, audit_record

from .hr_csv import hr_file_decode, hr_rows_check
from .hr_plan import hr_plan_build
from .models import Organisation, Person, ReportingLink, Team
from .selectors import reporting_links_from_tree_sql


def role_groups_sync():
    """Create the role groups and give each exactly the model permissions it needs.
    Idempotent. The authors' rights on the page tree and the review workflow belong to the
    modules app (``modules.services.roles_sync``), which calls this first.

    L&D authors are Wagtail editors of modules, quizzes and policies and nothing else; the other
    roles work in the front end and get no admin access."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in roles.ALL_ROLES}
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    compliance_reports = list(
        Permission.objects.filter(
            content_type__app_label="people", codename="view_compliance_reports"
        )
    )
    groups[roles.AUTHORS].permissions.set(
        [access_admin, *_content_permissions(roles.AUTHOR_MODEL_ACTIONS), *compliance_reports]
    )
    # Reviewers approve through the workflow, which publishes; they hold no publish permission
    # either, so nobody in the two roles can put content live without a second person.
    groups[roles.REVIEWERS].permissions.set(
        [access_admin, *_content_permissions(roles.REVIEWER_MODEL_ACTIONS), *compliance_reports]
    )
    # Auditors read the compliance reports in the Wagtail admin and nothing else there: no page
    # or snippet permissions, so they cannot edit content.
    groups[roles.AUDITORS].permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(
            content_type__app_label="people", codename="view_compliance_reports"
        ),
    )
    return groups


def _content_permissions(actions):
    """The permissions for ``actions`` on every content model an author writes."""
    pattern = rf"^({'|'.join(actions)})_"
    found = []
    for app_label, model_names in roles.AUTHOR_MODEL_PERMISSIONS.items():
        found += Permission.objects.filter(
            content_type__app_label=app_label,
            content_type__model__in=model_names,
            codename__regex=pattern,
        )
    return found


@transaction.atomic
def person_create(
    *,
    username,
    first_name,
    last_name,
    email,
    password=None,
    roles_held=(),
    line_manager=None,
    team=None,
    job_title="",
    employee_number=None,
    start_date=None,
    organisation=None,
):
    """Create an account and its person record together (never one without the other)."""
    user = get_user_model().objects.create_user(
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    if roles_held:
        user.groups.set(Group.objects.filter(name__in=roles_held))
    if email:
        # Whoever creates an account here (an administrator, the demo) is the organisation.
        email_from_organisation_set(user=user, email=email)
    return Person.objects.create(
        user=user,
        line_manager=line_manager,
        team=team,
        organisation=organisation,
        job_title=job_title,
        employee_number=employee_number,
        start_date=start_date,
    )


def people_lock(*, person_ids):
    """Lock these people's rows until the transaction ends, so that writes about one person take
    turns (a quiz start, a certificate issue, the refresh of their stored facts). In the order of
    their ids, so that two writes locking several people cannot deadlock. The rows alone:
    ordered by the person's default ordering (the user's name), the query would join the user
    table, and PostgreSQL's FOR UPDATE locks every row it joins, so a sign-in updating the same
    account would wait on it."""
    if connection.vendor != "postgresql":
        # No row locks there (the ORM leaves out FOR UPDATE): its writers take turns on the
        # whole database.
        list(Person.objects.filter(pk__in=person_ids).values_list("pk", flat=True))
        return
    if not connection.in_atomic_block:
        raise TransactionManagementError("people_lock holds its locks until the transaction ends")
    # Our own statement: every submission takes this lock, and the ORM spent longer building
    # its query than PostgreSQL took to run it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Person._meta.db_table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE",  # noqa: S608  (our table name)
            [[int(person_id) for person_id in person_ids]],
        )


def email_from_organisation_set(*, user, email):
    """Make ``email`` the one address of ``user``, recorded as given by the organisation (the HR
    file, Entra ID or an administrator). Only such an address may match a person in the HR import
    or link a single sign-on to an account; an address that anyone set for themselves never does.
    Another account that claimed this address without the organisation's word gives it up."""
    email = email.strip().lower()
    email_claims_release(email=email, keep_user=user)
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    elif not (address.verified and address.primary and address.email == email):
        address.email, address.verified, address.primary = email, True, True
        address.save(update_fields=["email", "verified", "primary"])
    if user.email != email:
        user.email = email
        user.save(update_fields=["email"])


def email_claims_release(*, email, keep_user=None):
    """Take ``email`` away from every account (but ``keep_user``) that set it for itself, without
    the organisation's word, before the organisation gives it to someone. Administrators' accounts
    are left alone: the HR import refuses an address of theirs and single sign-on will not use it."""
    others = get_user_model().objects.exclude(is_superuser=True)
    if keep_user:
        others = others.exclude(pk=keep_user.pk)
    EmailAddress.objects.filter(email__iexact=email, verified=False, user__in=others).delete()
    others.filter(email__iexact=email).exclude(
        emailaddress__email__iexact=email, emailaddress__verified=True
    ).update(email="")


def organisation_ensure(*, code, name):
    """The organisation with this code, created if missing; its name follows the caller's (a
    content file's correction of a name reaches the database)."""
    organisation, created = Organisation.objects.get_or_create(code=code, defaults={"name": name})
    if not created and organisation.name != name:
        organisation.name = name
        organisation.save(update_fields=["name"])
    return organisation


def team_get_or_create(*, name, parent=None):
    return Team.objects.get_or_create(name=name, defaults={"parent": parent})[0]


class PeopleImportPlanChanged(Exception):
    """The file or the people changed between the preview and the confirmation; ``plan`` is the
    new preview. Nothing was saved."""

    def __init__(self, plan):
        super().__init__("The import would no longer do what the confirmed preview showed.")
        self.plan = plan


class PeopleImportLeaversUnconfirmed(Exception):
    """The file would mark more than a tenth of the active people as left and that was not
    confirmed a second time; ``plan`` is the preview. Nothing was saved."""

    def __init__(self, plan):
        super().__init__(
            f"The file would mark {len(plan.leavers)} of {plan.active_people} active people as left."
        )
        self.plan = plan


class PeopleImportError(Exception):
    """The file was refused; ``errors`` lists every problem (with its line) and nothing was saved."""

    def __init__(self, errors):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class PeopleImportResult:
    created: int
    updated: int
    left: int


def _emails_taken_by_others(emails_to_numbers):
    """E-mails in the file that the organisation gave to an account other than the row's own
    person, or that another account has as its username. An address someone set for themselves
    is not "taken": the organisation's word wins and the import takes it from them."""
    taken = {}
    emails = list(emails_to_numbers)
    holders = (
        [
            (address.email.lower(), address.user)
            for address in EmailAddress.objects.filter(
                email__in=emails, verified=True
            ).select_related("user__person")
        ]
        + [
            (user.username.lower(), user)
            for user in get_user_model()
            .objects.filter(username__in=emails)
            .select_related("person")
        ]
        + [
            (user.email.lower(), user)
            for user in get_user_model()
            .objects.filter(email__in=emails, is_superuser=True)
            .select_related("person")
        ]
    )
    for email, user in holders:
        person = getattr(user, "person", None)
        number = emails_to_numbers.get(email)
        if person is None or (person.employee_number and person.employee_number != number):
            taken[email] = number
    return taken


def _organisation_codes():
    codes = {}
    for code, name in Organisation.objects.values_list("code", "name"):
        codes[code.lower()] = codes[name.lower()] = code
    return codes


def _plan_for(*, data, full_extract):
    text, error = hr_file_decode(data=data)
    if error:
        raise PeopleImportError([error])
    rows, errors = hr_rows_check(
        text=text,
        emails_taken_by_others=_emails_taken_by_others,
        organisation_codes=_organisation_codes(),
    )
    if errors:
        raise PeopleImportError(errors)
    return rows, hr_plan_build(rows=rows, data=data, full_extract=full_extract)


def people_import_preview(*, data, full_extract=False):
    """What importing the HR file ``data`` (CSV bytes) would do, saving nothing: the people added,
    changed and marked as left, and the role changes. A bad file raises PeopleImportError."""
    return _plan_for(data=data, full_extract=full_extract)[1]


def people_import(
    *, data, full_extract=False, confirm_leavers=False, expected_digest=None, today=None, by=None
):
    """Bring people and the reporting line into line with an HR file (CSV bytes), applying
    exactly the plan ``people_import_preview`` shows.

    The whole file is checked first; any bad row refuses the whole file (PeopleImportError) and
    nothing is saved. People are matched by employee number, or else, for an account that has no
    employee number yet, by an e-mail address the organisation gave it (never one a user set).
    Only a file declared a ``full_extract`` marks the people with an employee number who are not
    in it as left (their account is switched off; their records stay), and marking more than a
    tenth of the active people as left needs ``confirm_leavers``. ``expected_digest`` is the
    digest of the preview that was confirmed: if the file or the people have changed since, the
    plan differs and nothing is saved (PeopleImportPlanChanged)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        rows, plan = _plan_for(data=data, full_extract=full_extract)
        if expected_digest is not None and plan.digest != expected_digest:
            raise PeopleImportPlanChanged(plan)
        if plan.leavers_need_confirmation and not confirm_leavers:
            raise PeopleImportLeaversUnconfirmed(plan)
        result = _people_save(rows=rows, plan=plan, today=today)
        audit_record(
            action=PEOPLE_IMPORTED,
            actor=by,
            data={
                "created": result.created,
                "updated": result.updated,
                "left": result.left,
                "full_extract": full_extract,
                "file_sha256": plan.file_sha256,
            },
            summary=f"People imported: {result.created} new, {result.updated} updated, "
            f"{result.left} marked as left",
        )
        return result


def _manager_number(person):
    """The employee number of ``person``'s line manager as the HR file writes it: "" for none
    (and for someone not yet saved), None for a manager without a number, whom no file names."""
    if person.pk is None or person.line_manager_id is None:
        return ""
    return person.line_manager.employee_number


def _people_save(*, rows, plan, today):
    users = get_user_model().objects
    teams = {}
    staff_group = Group.objects.filter(name=roles.STAFF).first()
    manager_group = Group.objects.filter(name=roles.LINE_MANAGERS).first()
    created = updated = 0
    people = {}
    moved = []
    organisations = {organisation.code: organisation for organisation in Organisation.objects.all()}
    for row in rows:
        if row.team not in teams:
            teams[row.team] = team_get_or_create(name=row.team)
        person = plan.matched[row.employee_number]
        if person is None:
            user = users.create_user(
                username=row.email,
                email=row.email,
                first_name=row.first_name,
                last_name=row.last_name,
            )
            if staff_group:
                user.groups.add(staff_group)
            person = Person(user=user)
            created += 1
        else:
            user = person.user
            user.first_name, user.last_name, user.is_active = row.first_name, row.last_name, True
            user.save(update_fields=["first_name", "last_name", "is_active"])
            updated += 1
        email_from_organisation_set(user=user, email=row.email)
        person.employee_number = row.employee_number
        person.team = teams[row.team]
        person.job_title = row.job_title
        if row.organisation:
            person.organisation = organisations[row.organisation]
        person.start_date = row.start_date
        person.left_on = None
        if _manager_number(person) != row.line_manager_employee_number:
            # Taken out of the line first, and put back below, once everyone is saved.
            person.line_manager = None
            moved.append(row)
        person.save()
        people[row.employee_number] = person
    # The reporting links follow every change of line manager (people migration 0003), so only
    # the people whose manager changes leave the line and join it again, and a file that moves
    # nobody rewrites no links. Taking all of them out before putting any back means the line
    # never passes through a loop on the way, when a manager and a report swap places.
    for row in moved:
        if row.line_manager_employee_number:
            manager = people[row.line_manager_employee_number]
            Person.objects.filter(pk=people[row.employee_number].pk).update(line_manager=manager)
    managers = {
        people[row.line_manager_employee_number].user
        for row in rows
        if row.line_manager_employee_number
    }
    if manager_group:
        manager_group.user_set.add(*managers)
    leavers = Person.objects.filter(
        employee_number__in=[leaver.employee_number for leaver in plan.leavers],
        left_on__isnull=True,
    )
    leaver_users = list(leavers.values_list("user_id", flat=True))
    left = leavers.update(left_on=today)
    users.filter(pk__in=leaver_users).update(is_active=False)
    return PeopleImportResult(created=created, updated=updated, left=left)


def reporting_links_rebuild():
    """Work the stored reporting links out again from the tree of line managers, in one
    transaction: for a database restored without them, or loaded with the triggers off. The
    triggers keep them otherwise. Returns how many links there are."""
    with transaction.atomic():
        ReportingLink.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ReportingLink._meta.db_table} (manager_id, person_id, depth) "  # noqa: S608  (our table name)
                + reporting_links_from_tree_sql()
            )
    return ReportingLink.objects.count()
