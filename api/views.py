"""The REST API, version 1: module statuses, certificates, verification and the HR sync.

Every operation needs a client token with its scope (api/auth.py). The schema is public at
``openapi.json``; the interactive docs page is off (it would load scripts from a CDN)."""

import dataclasses

from ninja import NinjaAPI, Query, Status

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse

from certificates.selectors import certificate_by_code
from people.services import PeopleImportError, PeopleImportLeaversUnconfirmed, people_import
from tracking.status import STATUS_NAMES

from . import auth
from .hr_sync import hr_errors_by_row, hr_rows_as_csv
from .schemas import (
    CertificateFilters,
    CertificatePage,
    Detail,
    InputErrors,
    PeopleSyncErrorsOut,
    PeopleSyncIn,
    PeopleSyncOut,
    StatusFilters,
    StatusPage,
    VerificationOut,
)
from .selectors import FilterNotFound, certificates_page, statuses_page

api = NinjaAPI(
    title="Compliance training API",
    version="1",
    description="Module statuses, certificates and the HR sync. Authenticate with "
    "`Authorization: Bearer <token>`; tokens are created in the admin (Settings → API clients).",
    urls_namespace="api_v1",
    docs_url=None,
)
# Every operation takes input, so every one may answer 422 (ninja's validation) as well.
REFUSED = {401: Detail, 403: Detail, 422: InputErrors, 429: Detail}


@api.exception_handler(auth.RateLimited)
def rate_limited(request, exc):
    response = JsonResponse({"detail": "Too many requests. Wait, then try again."}, status=429)
    response["Retry-After"] = str(settings.API_RATE_WINDOW_SECONDS)
    return response


@api.exception_handler(FilterNotFound)
def filter_not_found(request, exc):
    return JsonResponse({"detail": str(exc)}, status=404)


def _person(row):
    return {
        "id": row.pk,
        "employee_number": row.employee_number,
        "name": row.full_name,
        "job_title": row.job_title,
        "team": {"id": row.team_id, "name": row.team_name} if row.team_id else None,
        "line_manager_id": row.line_manager_id,
    }


def _cell(cell):
    return {
        "module_id": cell.module.pk,
        "module_title": cell.module.title,
        "status": cell.status,
        "label": STATUS_NAMES[cell.status],
        "due_on": cell.due_on,
        "valid_until": cell.valid_until,
        "retry_on": cell.retry_on,
        "attempts": cell.attempts,
        "best_score": cell.best_score,
    }


@api.get(
    "/statuses",
    auth=auth.read_status,
    response={200: StatusPage, 404: Detail, **REFUSED},
    url_name="statuses",
    summary="Each person's status in each live module",
)
def statuses(request, filters: Query[StatusFilters]):
    """People still working here (by id), each with a status, dates, attempts and best score per
    module: what a manager sees, never answers."""
    page = statuses_page(
        **filters.dict(exclude={"status"}),
        status=filters.status.value if filters.status else None,
    )
    return {
        "count": page.count,
        "page": page.page,
        "page_size": page.page_size,
        "items": [
            {"person": _person(row["person"]), "modules": [_cell(cell) for cell in row["cells"]]}
            for row in page.items
        ],
    }


def _certificate(certificate):
    return {
        "serial": certificate.serial,
        "kind": certificate.kind,
        "title": certificate.title,
        "module_id": certificate.module_id,
        "holder_name": certificate.holder_name,
        "holder_employee_number": certificate.person.employee_number,
        "status": certificate.status,
        "current_status": certificate.display_status,
        "is_currently_valid": certificate.is_currently_valid,
        "score": certificate.score,
        "pass_mark": certificate.pass_mark,
        "issued_at": certificate.issued_at,
        "expires_on": certificate.expires_on,
        "superseded_by": certificate.superseded_by.serial if certificate.superseded_by else None,
        "policies": [
            {
                "organisation": str(policy.get("organisation", "")),
                "title": str(policy.get("title", "")),
                "version": str(policy.get("version", "")),
            }
            for policy in certificate.scope.get("policies", [])
        ],
    }


@api.get(
    "/certificates",
    auth=auth.read_certificates,
    response={200: CertificatePage, 404: Detail, **REFUSED},
    url_name="certificates",
    summary="Certificates, newest first",
)
def certificates(request, filters: Query[CertificateFilters]):
    page = certificates_page(
        **filters.dict(exclude={"status"}),
        status=filters.status.value if filters.status else "",
    )
    return {
        "count": page.count,
        "page": page.page,
        "page_size": page.page_size,
        "items": [_certificate(certificate) for certificate in page.items],
    }


@api.get(
    "/certificates/verify/{code}",
    auth=auth.read_certificates,
    response={200: VerificationOut, 404: Detail, **REFUSED},
    url_name="certificate_verify",
    summary="A certificate's status, by its verification code",
)
def certificate_verify(request, code: str):
    """The same lookup as the public verify page: the code as printed, or typed loosely."""
    certificate = certificate_by_code(code=code[:100])
    if certificate is None:
        return Status(404, {"detail": "No certificate has this verification code."})
    return {
        "serial": certificate.serial,
        "title": certificate.title,
        "holder_name": certificate.holder_name,
        "status": certificate.status,
        "current_status": certificate.display_status,
        "is_currently_valid": certificate.is_currently_valid,
        "issued_at": certificate.issued_at,
        "expires_on": certificate.expires_on,
        "superseded_by": certificate.superseded_by.serial if certificate.superseded_by else None,
    }


class _Preview(Exception):
    """Raised to roll a preview back after the import ran."""

    def __init__(self, result):
        self.result = result


@api.post(
    "/people/sync",
    auth=auth.write_people,
    response={200: PeopleSyncOut, 400: PeopleSyncErrorsOut, 409: Detail, 413: Detail, **REFUSED},
    url_name="people_sync",
    summary="Bring people and the reporting line into line with the HR system",
)
def people_sync(request, body: PeopleSyncIn, preview: bool = False):
    """The same rules as the HR file import: every row is checked first and any problem refuses
    the whole sync (nothing saved); only a ``full_extract`` marks people left out as left, and
    marking more than a tenth of the active people as left needs ``confirm_leavers`` (else 409,
    nothing saved). With ``preview=true`` the sync runs and is rolled back, so the counts are
    exactly what a real sync would do."""
    data, row_at_line = hr_rows_as_csv(rows=[person.dict() for person in body.people])
    if len(data) > settings.LMS_HR_IMPORT_MAX_BYTES:
        return Status(413, {"detail": "Too many people in one sync for the import's size limit."})
    try:
        with transaction.atomic():
            result = people_import(
                data=data, full_extract=body.full_extract, confirm_leavers=body.confirm_leavers
            )
            if preview:
                raise _Preview(result)
    except _Preview as rolled_back:
        result = rolled_back.result
    except PeopleImportLeaversUnconfirmed as error:
        return Status(
            409,
            {"detail": f"Nothing was saved: {error} Send confirm_leavers=true if that is right."},
        )
    except PeopleImportError as error:
        return Status(
            400,
            {
                "detail": f"Nothing was saved: {len(error.errors)} problem(s).",
                "errors": hr_errors_by_row(errors=error.errors, row_at_line=row_at_line),
            },
        )
    return {"preview": preview, **dataclasses.asdict(result)}
