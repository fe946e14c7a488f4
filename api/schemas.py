"""What the API reads and writes. Each response names its fields one by one, so that nothing a
model gains later (and nothing keyed: answers, options, feedback) can reach a client unasked."""

import datetime
import enum
import re
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator

from django.conf import settings

from certificates.models import Certificate
from certificates.selectors import CERTIFIES_BASE_COMPETENCE, FILTER_STATUSES
from tracking.status import STATUS_NAMES

ModuleStatus = enum.Enum("ModuleStatus", {name: name for name in STATUS_NAMES}, type=str)
CertificateStatusFilter = enum.Enum(
    "CertificateStatusFilter", {value: value for value, _ in FILTER_STATUSES}, type=str
)
CertificateKind = enum.Enum(
    "CertificateKind", {value: value for value in Certificate.Kind.values}, type=str
)


def _iso_date_only(value):
    """Pydantic would read a number ("0", "1700000000") as seconds since 1970; the schema says a
    date, so only a date is accepted."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("Give a date as YYYY-MM-DD.")
    return value


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date_only)]


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="The page, counted from 1.")
    page_size: int = Field(
        settings.API_PAGE_SIZE,
        ge=1,
        le=settings.API_PAGE_SIZE_MAX,
        description="How many items a page holds.",
    )


# An employee number as the HR file allows it: no control characters (PostgreSQL refuses NUL).
EMPLOYEE_NUMBER = r"^[^\x00-\x1f\x7f]*$"


class PeopleFilters(PageParams):
    person: str | None = Field(
        None, max_length=30, pattern=EMPLOYEE_NUMBER, description="An employee number."
    )
    team: int | None = Field(None, ge=1, description="A team's id; its sub-teams are included.")
    manager: str | None = Field(
        None,
        max_length=30,
        pattern=EMPLOYEE_NUMBER,
        description="A line manager's employee number: everyone below them, to any depth.",
    )


class StatusFilters(PeopleFilters):
    module: int | None = Field(None, ge=1, description="Only this module (its page id).")
    status: ModuleStatus | None = Field(
        None,
        description="Only the module entries in this status, and only people who have one "
        "(count and pages count those people).",
    )


class CertificateFilters(PeopleFilters):
    issued_from: IsoDate | None = Field(None, description="Issued on or after (YYYY-MM-DD).")
    issued_to: IsoDate | None = Field(None, description="Issued on or before (YYYY-MM-DD).")
    status: CertificateStatusFilter | None = Field(
        None, description="Status; “expired” is derived from the expiry date."
    )
    certifies: str | None = Field(
        None,
        pattern=rf"^({CERTIFIES_BASE_COMPETENCE}|[0-9]{{1,10}})$",
        description=f"A module's id, or “{CERTIFIES_BASE_COMPETENCE}”.",
    )


class TeamOut(Schema):
    id: int
    name: str


class PersonOut(Schema):
    id: int
    employee_number: str | None
    name: str
    job_title: str
    team: TeamOut | None
    line_manager_id: int | None


class ModuleStatusOut(Schema):
    module_id: int
    module_title: str
    status: ModuleStatus
    label: str
    due_on: datetime.date | None
    valid_until: datetime.date | None
    retry_on: datetime.date | None
    attempts: int
    best_score: Decimal | None


class PersonStatusesOut(Schema):
    person: PersonOut
    modules: list[ModuleStatusOut]


class PolicyOut(Schema):
    organisation: str
    title: str
    version: str


class CertificateOut(Schema):
    serial: str
    kind: CertificateKind
    title: str
    module_id: int | None
    holder_name: str
    holder_employee_number: str | None
    status: str = Field(description="The stored status.")
    current_status: str = Field(
        description="What a reader needs: the stored status, or “Expired” once the date passed."
    )
    is_currently_valid: bool
    score: Decimal | None
    pass_mark: int | None
    issued_at: datetime.datetime
    expires_on: datetime.date
    superseded_by: str | None = Field(description="Serial of the certificate that replaced it.")
    policies: list[PolicyOut]


class VerificationOut(Schema):
    serial: str
    title: str
    holder_name: str
    status: str
    current_status: str
    is_currently_valid: bool
    issued_at: datetime.datetime
    expires_on: datetime.date
    superseded_by: str | None


class StatusPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PersonStatusesOut]


class CertificatePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CertificateOut]


class HrPersonIn(Schema):
    """One person, with the HR file's columns. Values are checked by the same rules as a CSV row
    (so dates are text here, as in the file: YYYY-MM-DD or DD/MM/YYYY)."""

    employee_number: str
    first_name: str
    last_name: str
    email: str
    team: str
    job_title: str
    line_manager_employee_number: str = ""
    start_date: str
    organisation: str = Field(
        "",
        description="The person's organisation (its code or name, as held here): it decides "
        "whose policies they are asked about. Empty leaves it as it is.",
    )


class PeopleSyncIn(Schema):
    people: list[HrPersonIn] = Field(
        min_length=1,
        description="The people to add or update. Only a full extract marks anyone with an "
        "employee number who is left out as having left.",
    )
    full_extract: bool = Field(
        False,
        description="True when ``people`` is everyone in the organisation: then those left out "
        "are marked as having left.",
    )
    confirm_leavers: bool = Field(
        False,
        description="A full extract that would mark more than a tenth of the active people as "
        "left is refused unless this is true (409 says how many).",
    )


class PeopleSyncOut(Schema):
    preview: bool = Field(description="True when nothing was saved (a preview).")
    created: int
    updated: int
    left: int


class SyncErrorOut(Schema):
    row: int | None = Field(description="The row's position in ``people`` (from 0), or null.")
    message: str


class PeopleSyncErrorsOut(Schema):
    detail: str
    errors: list[SyncErrorOut] = Field(
        default_factory=list,
        description="The rows' problems; absent when the body is not JSON at all.",
    )


class Detail(Schema):
    detail: str


class InputError(Schema):
    type: str = Field(description="What kind of problem, e.g. int_parsing or missing.")
    loc: list[str | int] = Field(description="Where: the part of the request, then the field.")
    msg: str


class InputErrors(Schema):
    """The 422 answer to a request that does not fit the schema (django-ninja's own shape)."""

    detail: list[InputError]
