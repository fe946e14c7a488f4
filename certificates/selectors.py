"""Reads for certificates. Each returns only what the asking role may see."""

from lms.access import is_auditor

from .models import Certificate


def certificates_for_person(*, person):
    return Certificate.objects.filter(person=person).select_related("module")


def certificate_for_download(*, user, serial):
    """The holder may download their own certificate and an auditor any; anyone else gets None."""
    certificates = Certificate.objects.select_related("person")
    if not is_auditor(user):
        certificates = certificates.filter(person__user=user)
    return certificates.filter(serial=serial).first()


def certificate_by_code(*, code):
    return Certificate.objects.select_related("superseded_by").filter(code=code).first()


def certificates_for_auditor():
    return Certificate.objects.select_related("person__user", "person__team", "module").order_by("-issued_at")
