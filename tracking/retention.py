"""The retention policy: some years after a person leaves, their personal details are removed.

What stays is anonymous: attempts and scores, certificate dates and statuses, progress, so that
completion statistics still add up. The audit trail is kept whole (it is the accountability
record and append-only), which the privacy notice must say."""

import datetime

from allauth.account.models import EmailAddress

from django.conf import settings
from django.db import transaction

from certificates.models import Certificate
from lms.audit import PERSON_ANONYMISED, audit_record
from people.models import Person

from .kept_view import line_views_forget

ANONYMOUS_HOLDER = "Former member of staff"


def people_due_for_anonymisation(*, today):
    cutoff = today - datetime.timedelta(days=settings.RETENTION_DAYS_AFTER_LEAVING)
    return Person.objects.filter(
        left_on__isnull=False, left_on__lte=cutoff, anonymised_on__isnull=True
    )


def people_anonymise(*, today, dry_run=False):
    """Anonymise everyone past the retention period. Each person in their own transaction, so one
    failure leaves the others done and that person untouched. Returns the ids handled."""
    handled = []
    for person in people_due_for_anonymisation(today=today).select_related("user"):
        if not dry_run:
            person_anonymise(person=person, today=today)
        handled.append(person.pk)
    return handled


@transaction.atomic
def person_anonymise(*, person, today):
    user = person.user
    user.username = f"former-{person.pk}"
    user.first_name = "Former member of staff"
    user.last_name = f"#{person.pk}"
    user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    # The address as the organisation recorded it (lms.services.email_from_organisation_set).
    EmailAddress.objects.filter(user=user).delete()
    Person.objects.filter(pk=person.pk).update(
        employee_number=None, job_title="", line_manager=None, start_date=None, anonymised_on=today
    )
    Person.objects.filter(line_manager=person).update(line_manager=None)
    for certificate in Certificate.objects.filter(person=person):
        # The PDF carries the name; its hash stays, so the record still says what was issued.
        if certificate.pdf:
            certificate.pdf.delete(save=False)
    Certificate.objects.filter(person=person).update(holder_name=ANONYMOUS_HOLDER, pdf="")
    # A manager's dashboard may have been kept as drawn with this person's name in it.
    line_views_forget()
    audit_record(
        action=PERSON_ANONYMISED,
        summary=f"Personal details of person #{person.pk} removed (retention)",
        target=person,
    )
