"""A person's own data: what the platform holds about them, downloadable at any time."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from lms.access import current_person
from lms.audit import PERSONAL_DATA_EXPORTED, audit_record
from lms.exports import file_response

from .personal_data import person_data_archive


@login_required
def my_data(request):
    current_person(request)
    return render(request, "tracking/my_data.html")


@login_required
def my_data_download(request):
    person = current_person(request)
    archive = person_data_archive(person=person)
    audit_record(
        action=PERSONAL_DATA_EXPORTED,
        summary=f"{person.full_name} downloaded their personal data",
        subject=person,
        target=person,
        request=request,
    )
    return file_response(
        archive,
        filename=f"my-data-{timezone.localdate():%Y-%m-%d}.zip",
        content_type="application/zip",
    )
