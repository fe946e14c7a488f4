"""Reads for certificates. Each returns only what the asking role may see."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from lms import audit
from lms.access import is_auditor
from lms.audit import audit_events_about
from modules.models import ModulePage
from modules.selectors import clause_reference_order
from people.models import Organisation, Person
from people.selectors import team_and_sub_team_ids
from quizzes.models import Quiz
from quizzes.selectors import quiz_refusals

from .codes import code_canonical
from .expiry import EXPIRED, EXPIRED_LABEL, expired_on, unexpired_on
from .models import Certificate

# The statuses an auditor filters by: the stored ones, with "expired" derived from the date.
STATUS_EXPIRED = EXPIRED
FILTER_STATUSES = [
    (Certificate.Status.VALID.value, "Valid"),
    (STATUS_EXPIRED, EXPIRED_LABEL),
    (Certificate.Status.REVOKED.value, "Revoked"),
    (Certificate.Status.SUPERSEDED.value, "Superseded"),
    (Certificate.Status.RECERTIFICATION_DUE.value, "Recertification due"),
]
CERTIFIES_BASE_COMPETENCE = "base_competence"


def certificates_for_person(*, person):
    return Certificate.objects.filter(person=person).select_related("module")


def certificate_for_download(*, user, serial):
    """The holder may download their own certificate and an auditor any; anyone else gets None.
    (A line manager sees their reporting line's status and dates, never the PDFs.)"""
    certificates = Certificate.objects.select_related("person")
    if not is_auditor(user):
        certificates = certificates.filter(person__user=user)
    return certificates.filter(serial=serial).first()


def certificate_by_code(*, code):
    """The certificate with this verification code, as typed or as linked. The code exactly as
    given is looked up first, so an old, case-sensitive code (or any stored code) always finds
    its own certificate; only when nothing matches exactly is it read as a new-style code typed
    loosely (small letters, spaces, hyphens, look-alike letters)."""
    if "\x00" in code:  # no code holds one, and PostgreSQL refuses NUL in a query
        return None
    certificates = Certificate.objects.select_related("superseded_by")
    exact = certificates.filter(code=code).first()
    if exact is not None:
        return exact
    canonical = code_canonical(code)
    if canonical is None or canonical == code:
        return None
    return certificates.filter(code=canonical).first()


def certificate_by_sha256(*, sha256):
    return Certificate.objects.select_related("superseded_by").filter(sha256=sha256).first()


def certificate_for_auditor(*, serial):
    return (
        Certificate.objects.select_related("person__team", "module", "superseded_by")
        .filter(serial=serial)
        .first()
    )


def certificate_revocation(*, certificate):
    """The event that revoked the certificate (its date and reason category are public), or None."""
    if certificate.status != Certificate.Status.REVOKED:
        return None
    return (
        certificate.events.filter(to_status=Certificate.Status.REVOKED)
        .order_by("-at", "-pk")
        .first()
    )


def certificate_events(*, certificate):
    return certificate.events.order_by("at", "pk")


def certificate_access_log(*, certificate):
    """Who downloaded or revoked the certificate, from the audit trail."""
    return audit_events_about(
        target=certificate,
        actions=[
            audit.CERTIFICATE_DOWNLOADED,
            audit.CERTIFICATE_BULK_DOWNLOADED,
            audit.CERTIFICATE_REVOKED,
        ],
    )


def certificates_for_auditor(
    *, issued_from=None, issued_to=None, certifies="", team=None, status="", person_name=""
):
    """The auditor's list, filtered. ``certifies`` is "base_competence", a module id, or empty;
    ``team`` includes its sub-teams; ``status`` may be "expired", which is derived from the date."""
    certificates = Certificate.objects.select_related(
        "person__user", "person__team", "module"
    ).order_by("-issued_at", "-pk")
    if issued_from:
        certificates = certificates.filter(issued_at__date__gte=issued_from)
    if issued_to:
        certificates = certificates.filter(issued_at__date__lte=issued_to)
    if certifies == CERTIFIES_BASE_COMPETENCE:
        certificates = certificates.filter(kind=Certificate.Kind.BASE_COMPETENCE)
    elif certifies:
        certificates = certificates.filter(kind=Certificate.Kind.MODULE, module_id=certifies)
    if team is not None:
        certificates = certificates.filter(
            person__team_id__in=team_and_sub_team_ids(team_id=team.pk)
        )
    if status:
        certificates = certificates.filter(_status_condition(status))
    if person_name:
        for word in person_name.split():
            certificates = certificates.filter(holder_name__icontains=word)
    return certificates


def _status_condition(status):
    today = timezone.localdate()
    if status == STATUS_EXPIRED:
        return Q(status=Certificate.Status.VALID) & expired_on(today)
    if status == Certificate.Status.VALID:
        return Q(status=Certificate.Status.VALID) & unexpired_on(today)
    return Q(status=status)


@dataclass(frozen=True)
class BaseCompetenceGap:
    """An organisation whose staff can never be issued base competence, and why."""

    organisation: Organisation
    staff: int  # current people whose policies are this organisation's
    modules: list  # [(module, reason)], the base-competence modules they cannot complete


def base_competence_gaps():
    """Each organisation whose staff cannot complete every live base-competence module, which
    base competence needs (``services._base_competence_basis``): a module with no published
    quiz, or whose quiz refuses them a start (``quizzes.selectors.quiz_refusals``: no fair attempt
    can be drawn from the questions on the policies that apply to them). Their dashboards say
    "quiz not available" for it, but base competence stays out of their reach. Empty when every
    organisation can reach it."""
    modules = list(ModulePage.objects.live().filter(base_competence=True).order_by("path"))
    if not modules:
        return []
    organisations = list(Organisation.objects.order_by("name"))
    with_quiz = set(
        Quiz.objects.filter(module__in=modules, live=True).values_list("module_id", flat=True)
    )
    refusals = quiz_refusals()
    missing = {organisation.pk: [] for organisation in organisations}
    for module in modules:
        for organisation in organisations:
            if module.pk not in with_quiz:
                missing[organisation.pk].append((module, "It has no published quiz."))
            elif (module.pk, organisation.pk) in refusals.reasons:
                reason = refusals.reasons[(module.pk, organisation.pk)]
                missing[organisation.pk].append((module, reason))
    staff = _current_staff_by_organisation(home_organisation_id=refusals.home_organisation_id)
    return [
        BaseCompetenceGap(
            organisation=organisation,
            staff=staff.get(organisation.pk, 0),
            modules=missing[organisation.pk],
        )
        for organisation in organisations
        if missing[organisation.pk]
    ]


def _current_staff_by_organisation(*, home_organisation_id):
    """``{organisation id: current people}``, those recorded without one counted with the home
    organisation, as ``people.selectors.person_organisation`` places them."""
    counts = dict(
        Person.objects.filter(left_on__isnull=True)
        .values_list("organisation")
        .annotate(people=Count("pk"))
        .order_by()
    )
    without = counts.pop(None, 0)
    if home_organisation_id is not None:
        counts[home_organisation_id] = counts.get(home_organisation_id, 0) + without
    return counts


def certificate_clauses_in_reading_order(*, certificate):
    """The clause versions in the certificate's scope, by organisation, document and reference
    as a reader counts (2.5 before 2.13; the scope of older certificates holds them sorted as
    text)."""
    return sorted(
        certificate.scope.get("clauses", []),
        key=lambda clause: (
            clause["organisation"],
            clause["document"],
            clause_reference_order(clause["reference"]),
            clause["version"],
        ),
    )
