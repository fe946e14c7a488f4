"""Writes for certificates: issuing, the status lifecycle, and the access log.

An issued certificate never changes except for its status (and, when superseded, the certificate
that replaced it). Every status change goes through ``_status_change``, which updates only those
columns and records a ``CertificateEvent``."""

import hashlib
import secrets

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from lms import audit
from lms.audit import audit_record, audit_records
from lms.names import user_display_name
from lms.xapi import xapi_activity, xapi_is_enabled, xapi_record
from modules.handoffs import learner_records_written
from modules.models import ModulePage, PolicyClause
from modules.selectors import policy_clause_ids_changed_since
from people.services import people_lock
from quizzes.models import Attempt

from .expiry import expiry_date, unexpired_on
from .models import (
    AUDITOR_REVOCATION_REASONS,
    Certificate,
    CertificateEvent,
    RevocationReason,
)
from .pdf import CertificateRenderError, certificate_pdf_render
from .signing import pdf_sign_if_configured

SYSTEM_ACTOR = "System"
BASE_COMPETENCE_TITLE = "Base competence in social media"
# A certificate that still stands: its holder has not passed again, nobody revoked it, and no
# policy change has called it into question.
STANDING = (Certificate.Status.VALID,)
REPLACEABLE = (Certificate.Status.VALID, Certificate.Status.RECERTIFICATION_DUE)


class CertificateError(Exception):
    pass


# Issuing ---------------------------------------------------------------------------------------


def certificate_issue_for_attempt(*, attempt_id):
    """Issue the module certificate for a passed attempt, exactly once.

    Safe to retry: a second call (a retried task, a crash after commit) returns the certificate
    the first one issued; the unique attempt column stops a concurrent twin. Everything happens
    in one transaction, so a crash mid-render leaves no half certificate behind."""
    existing = Certificate.objects.filter(attempt_id=attempt_id).first()
    if existing:
        return existing
    stored_files = []
    try:
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update()
                .select_related("person__user", "quiz__module")
                .get(pk=attempt_id)
            )
            # Whoever held the lock before us may have issued it meanwhile.
            existing = Certificate.objects.filter(attempt_id=attempt_id).first()
            if existing:
                return existing
            if not attempt.passed:
                raise CertificateError("Only a passed attempt earns a certificate.")
            return _module_certificate_create(attempt=attempt, stored_files=stored_files)
    except IntegrityError:
        _files_discard(stored_files)
        return Certificate.objects.get(attempt_id=attempt_id)
    except BaseException:
        _files_discard(stored_files)
        raise


def certificate_issue_base_competence(*, person):
    """Issue the base-competence certificate if the person now holds a standing, unexpired pass
    for every live base-competence module; return it (or the one already issued for exactly
    these passes), or None when a module is still missing.

    The certificate's ``basis_key`` is built from the module certificates it rests on and is
    unique, so retries and concurrent workers can never issue two for the same passes."""
    basis = _base_competence_basis(person=person)
    if basis is None:
        return None
    basis_key = _basis_key(certificates=basis)
    existing = Certificate.objects.filter(basis_key=basis_key).first()
    if existing:
        return existing
    stored_files = []
    try:
        with transaction.atomic():
            # One base-competence issue per person at a time; the unique key is the backstop.
            people_lock(person_ids=[person.pk])
            existing = Certificate.objects.filter(basis_key=basis_key).first()
            if existing:
                return existing
            return _base_certificate_create(
                person=person, basis=basis, basis_key=basis_key, stored_files=stored_files
            )
    except IntegrityError:
        _files_discard(stored_files)
        return Certificate.objects.get(basis_key=basis_key)
    except BaseException:
        _files_discard(stored_files)
        raise


def _module_certificate_create(*, attempt, stored_files):
    module = attempt.quiz.module
    issued_at = timezone.now()
    certificate = Certificate.objects.create(
        serial=_pending_serial(),
        person=attempt.person,
        kind=Certificate.Kind.MODULE,
        module=module,
        attempt=attempt,
        holder_name=attempt.person.full_name,
        title=module.title,
        scope={
            "modules": [
                {
                    "title": module.title,
                    "score": str(attempt.percent),
                    "pass_mark": attempt.pass_mark,
                }
            ],
            "policies": _policies_cited(questions=attempt.questions),
            "clauses": _clauses_cited(questions=attempt.questions),
        },
        score=attempt.percent,
        pass_mark=attempt.pass_mark,
        issued_at=issued_at,
        expires_on=expiry_date(
            issued_on=timezone.localdate(issued_at), validity_months=module.validity_months
        ),
    )
    clause_ids = _clause_ids_cited(questions=attempt.questions)
    certificate.clauses.set(PolicyClause.objects.filter(pk__in=clause_ids))
    _certificate_finish(certificate=certificate, stored_files=stored_files)
    predecessors = Certificate.objects.filter(
        person=attempt.person, module=module, kind=Certificate.Kind.MODULE, status__in=REPLACEABLE
    ).exclude(pk=certificate.pk)
    _supersede(
        predecessors=predecessors, successor=certificate, reason=f"{module.title} passed again."
    )
    _recertification_due_if_outdated(certificate=certificate, clause_ids=clause_ids)
    _module_certificates_hand_off(certificates=[certificate])
    return certificate


def _recertification_due_if_outdated(*, certificate, clause_ids):
    """A pass can only make a certificate valid on the clauses as they stand. An attempt drawn
    before a clause changed meaning (or from a question nobody has moved on) still earns its
    certificate, as a record of the pass, but the certificate is "recertification due" from the
    start, so it cannot make a recertification look done."""
    changed = policy_clause_ids_changed_since(clause_ids=clause_ids)
    if not changed:
        return
    outdated = sorted(
        (clause["document"], clause["reference"], clause["version"])
        for clause in certificate.scope.get("clauses", [])
        if clause["id"] in changed
    )
    _status_change(
        certificate=certificate,
        to_status=Certificate.Status.RECERTIFICATION_DUE,
        by=None,
        reason="The assessment rested on clause versions whose meaning has since changed: "
        + "; ".join(
            f"{document} clause {reference} (version {version})"
            for document, reference, version in outdated
        )
        + ".",
    )


def _base_certificate_create(*, person, basis, basis_key, stored_files):
    certificate = Certificate.objects.create(
        serial=_pending_serial(),
        person=person,
        kind=Certificate.Kind.BASE_COMPETENCE,
        basis_key=basis_key,
        holder_name=person.full_name,
        title=BASE_COMPETENCE_TITLE,
        scope={
            "modules": [
                {
                    "title": module_certificate.title,
                    "certificate": module_certificate.serial,
                    "score": str(module_certificate.score),
                    "pass_mark": module_certificate.pass_mark,
                    "expires_on": module_certificate.expires_on.isoformat(),
                }
                for module_certificate in basis
            ],
            "policies": _policies_merged(certificates=basis),
            "clauses": _clauses_merged(certificates=basis),
        },
        expires_on=min(module_certificate.expires_on for module_certificate in basis),
    )
    certificate.based_on.set(basis)
    _certificate_finish(certificate=certificate, stored_files=stored_files)
    predecessors = Certificate.objects.filter(
        person=person, kind=Certificate.Kind.BASE_COMPETENCE, status__in=REPLACEABLE
    ).exclude(pk=certificate.pk)
    _supersede(
        predecessors=predecessors,
        successor=certificate,
        reason="A new base-competence certificate was issued on newer module passes.",
    )
    return certificate


def _certificate_finish(*, certificate, stored_files):
    """Give the certificate its serial, render, sign and store the PDF once, and record the issue."""
    # The primary key is unique under any concurrency, so a serial built from it is too.
    certificate.serial = f"{certificate.issued_at:%Y}-{certificate.pk:06d}"
    try:
        pdf_bytes = certificate_pdf_render(certificate=certificate)
    except CertificateRenderError as error:
        raise CertificateError(str(error)) from error
    pdf_bytes = pdf_sign_if_configured(pdf_bytes=pdf_bytes)
    certificate.pdf.save(f"{certificate.serial}.pdf", ContentFile(pdf_bytes), save=False)
    stored_files.append((certificate.pdf.storage, certificate.pdf.name))
    # The hash is of the final bytes as stored: after signing, if any.
    certificate.sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    certificate.save(update_fields=["serial", "pdf", "sha256"])
    CertificateEvent.objects.create(
        certificate=certificate,
        actor_name=SYSTEM_ACTOR,
        from_status="",
        to_status=Certificate.Status.VALID,
        reason=f"Issued: {certificate.title}.",
    )
    audit_record(
        action=audit.CERTIFICATE_ISSUED,
        summary=f"Certificate {certificate.serial} issued: {certificate.title}",
        subject=certificate.person,
        target=certificate,
    )
    _xapi_certificate_record(certificate=certificate, verb="earned", at=certificate.issued_at)


def _files_discard(stored_files):
    """A rolled-back issue must not leave a PDF behind that no certificate row points to."""
    for storage, name in stored_files:
        storage.delete(name)


def _pending_serial():
    return f"pending-{secrets.token_hex(8)}"


def _base_competence_basis(*, person):
    modules = list(ModulePage.objects.live().filter(base_competence=True).order_by("path"))
    if not modules:
        return None
    standing = Certificate.objects.filter(
        unexpired_on(timezone.localdate()),
        person=person,
        kind=Certificate.Kind.MODULE,
        status__in=STANDING,
        module__in=modules,
    ).order_by("issued_at", "pk")
    latest_by_module = {certificate.module_id: certificate for certificate in standing}
    if any(module.pk not in latest_by_module for module in modules):
        return None
    return [latest_by_module[module.pk] for module in modules]


def _basis_key(*, certificates):
    ids = ",".join(str(pk) for pk in sorted(certificate.pk for certificate in certificates))
    return hashlib.sha256(f"base_competence:{ids}".encode()).hexdigest()


def _policies_cited(*, questions):
    """The policy documents and versions behind the keyed answers of the questions shown."""
    seen = {}
    for question in questions:
        for option in question["options"]:
            clause = option["clause"]
            key = (clause["organisation"], clause["document"], clause["document_version"])
            seen[key] = {"organisation": key[0], "title": key[1], "version": key[2]}
    return [seen[key] for key in sorted(seen)]


def _clauses_cited(*, questions):
    """Each clause version behind the questions shown, as it was at the attempt: what the
    certificate rests on, kept in its scope so that it reads the same for ever."""
    seen = {}
    for question in questions:
        for option in question["options"]:
            clause = option["clause"]
            seen[clause["id"]] = _clause_entry(clause)
    return sorted(seen.values(), key=_clause_order)


def _clause_entry(clause):
    return {
        "id": clause["id"],
        "organisation": clause["organisation"],
        "document": clause["document"],
        "document_version": clause["document_version"],
        "reference": clause["reference"],
        "version": clause["version"],
        "heading": clause["heading"],
    }


def _clause_order(clause):
    return (clause["organisation"], clause["document"], clause["reference"], clause["version"])


def _clauses_merged(*, certificates):
    seen = {}
    for certificate in certificates:
        for clause in certificate.scope.get("clauses", []):
            seen[clause["id"]] = clause
    return sorted(seen.values(), key=_clause_order)


def _clause_ids_cited(*, questions):
    return {option["clause"]["id"] for question in questions for option in question["options"]}


def _policies_merged(*, certificates):
    seen = {}
    for certificate in certificates:
        for policy in certificate.scope.get("policies", []):
            seen[(policy["organisation"], policy["title"], policy["version"])] = policy
    return [seen[key] for key in sorted(seen)]


# Lifecycle -------------------------------------------------------------------------------------


def certificate_revoke(*, certificate, by, reason, category):
    """An auditor withdraws a certificate. Base-competence certificates resting on it fall with it,
    because they would otherwise attest a pass that no longer stands.

    ``category`` (a ``RevocationReason`` an auditor may choose) is what the public verify pages
    show; ``reason``, the auditor's own words, stays in the history and the audit trail."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("Enter why the certificate is being revoked.")
    if category not in dict(AUDITOR_REVOCATION_REASONS):
        raise CertificateError("Choose which kind of reason this is.")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status == Certificate.Status.REVOKED:
            raise CertificateError(f"Certificate {locked.serial} has already been revoked.")
        _status_change(
            certificate=locked,
            to_status=Certificate.Status.REVOKED,
            by=by,
            reason=reason,
            reason_category=category,
        )
        audit_record(
            action=audit.CERTIFICATE_REVOKED,
            summary=f"Certificate {locked.serial} revoked: {reason}",
            actor=by,
            subject=locked.person,
            target=locked,
        )
        # Locked in the order of their ids, as every write that locks several certificates
        # does, so that two revocations sharing base-competence certificates cannot deadlock
        # (the default order, by issue time, leaves ties to the plan).
        dependants = (
            Certificate.objects.select_for_update()
            .filter(
                pk__in=locked.base_certificates.exclude(status=Certificate.Status.REVOKED).values(
                    "pk"
                )
            )
            .order_by("pk")
        )
        for dependant in dependants:
            _status_change(
                certificate=dependant,
                to_status=Certificate.Status.REVOKED,
                by=by,
                reason=f"Rests on certificate {locked.serial}, which was revoked: {reason}",
                reason_category=RevocationReason.RESTS_ON_REVOKED,
            )
            audit_record(
                action=audit.CERTIFICATE_REVOKED,
                summary=f"Certificate {dependant.serial} revoked with {locked.serial}: {reason}",
                actor=by,
                subject=dependant.person,
                target=dependant,
            )
        # Last: it locks the holder until the commit.
        _module_certificates_hand_off(certificates=[locked])
    locked.refresh_from_db()
    return locked


def certificates_mark_recertification_due(*, replaced_clause, by=None):
    """A clause version was replaced by a change of meaning: every standing, unexpired certificate
    whose assessment showed it (or an earlier version that it merely corrected) (and every base-competence certificate resting on one of those) becomes
    "recertification due". Returns the module certificates marked, so that the caller can
    assign those modules to their holders again."""
    reason = (
        f"{replaced_clause.document.title} clause {replaced_clause.reference} "
        f"(version {replaced_clause.version}) was replaced by a new version."
    )
    today = timezone.localdate()
    with transaction.atomic():
        # The replaced version, or an earlier one that only corrections separate from it (an
        # earlier change of meaning already sent its certificates for recertification).
        affected_ids = Certificate.objects.filter(
            unexpired_on(today),
            kind=Certificate.Kind.MODULE,
            status__in=STANDING,
            clauses__document_id=replaced_clause.document_id,
            clauses__reference=replaced_clause.reference,
            clauses__version__lte=replaced_clause.version,
        ).values("pk")
        module_certificates = list(
            Certificate.objects.select_for_update(of=("self",))
            .filter(pk__in=affected_ids)
            .select_related("person", "module")
            .order_by("pk")
        )
        base_ids = Certificate.objects.filter(
            unexpired_on(today),
            kind=Certificate.Kind.BASE_COMPETENCE,
            status__in=STANDING,
            based_on__in=[certificate.pk for certificate in module_certificates],
        ).values("pk")
        base_certificates = list(
            Certificate.objects.select_for_update().filter(pk__in=base_ids).order_by("pk")
        )
        for certificate in [*module_certificates, *base_certificates]:
            _status_change(
                certificate=certificate,
                to_status=Certificate.Status.RECERTIFICATION_DUE,
                by=by,
                reason=reason,
            )
        _module_certificates_hand_off(certificates=module_certificates)
    return module_certificates


def _module_certificates_hand_off(*, certificates):
    """Module certificates issued or changed change their holders' status in their modules
    (``learner_records_written``); a base-competence certificate is not a module's."""
    modules = [c for c in certificates if c.kind == Certificate.Kind.MODULE]
    if modules:
        learner_records_written.send(
            sender=Certificate,
            person_ids=[certificate.person_id for certificate in modules],
            module_ids=[certificate.module_id for certificate in modules],
        )


def _supersede(*, predecessors, successor, reason):
    # In the order of their ids, as certificate_revoke explains.
    for predecessor in predecessors.select_for_update().order_by("pk"):
        _status_change(
            certificate=predecessor,
            to_status=Certificate.Status.SUPERSEDED,
            by=None,
            reason=f"Superseded by certificate {successor.serial}: {reason}",
            superseded_by=successor,
        )


def _status_change(*, certificate, to_status, by, reason, superseded_by=None, reason_category=""):
    """Change the status and nothing else, only from the status we read, and record who and why."""
    changes = {"status": to_status}
    if superseded_by is not None:
        changes["superseded_by"] = superseded_by
    updated = Certificate.objects.filter(pk=certificate.pk, status=certificate.status).update(
        **changes
    )
    if not updated:
        raise CertificateError(
            f"Certificate {certificate.serial} changed while we were updating it; try again."
        )
    CertificateEvent.objects.create(
        certificate=certificate,
        actor=by,
        actor_name=_actor_name(by),
        from_status=certificate.status,
        to_status=to_status,
        reason=reason,
        reason_category=reason_category,
    )
    if to_status == Certificate.Status.REVOKED:
        _xapi_certificate_record(certificate=certificate, verb="revoked", at=timezone.now())
    certificate.status = to_status
    if superseded_by is not None:
        certificate.superseded_by = superseded_by


def _xapi_certificate_record(*, certificate, verb, at):
    """A certificate earned or revoked, for the LRS: which one and when; not why it was revoked
    (an auditor's own words may name people)."""
    if not xapi_is_enabled():
        return
    xapi_record(
        event=f"certificate/{certificate.pk}/{verb}",
        person_id=certificate.person_id,
        verb=verb,
        activity=xapi_activity(
            kind="certificate",
            key=certificate.pk,
            name=f"{certificate.serial}: {certificate.title}",
        ),
        timestamp=at,
        parent=xapi_activity(
            kind="module", key=certificate.module_id, name=certificate.module.title
        )
        if certificate.module_id
        else None,
    )


def _actor_name(user):
    if user is None:
        return SYSTEM_ACTOR
    return user_display_name(user)


# Access (the audit trail) ---------------------------------------------------------------------


def certificate_download_record(*, certificate, user, as_badge=False):
    audit_record(
        action=audit.CERTIFICATE_DOWNLOADED,
        summary=f"Certificate {certificate.serial} downloaded"
        + (" as an Open Badge" if as_badge else ""),
        actor=user,
        subject=certificate.person,
        target=certificate,
    )


def certificates_bulk_download_record(*, certificate_ids, user):
    """Log a batch of certificates as they go into a bulk ZIP, one event each (the ZIP logs in
    batches as it streams, so the log says exactly what was sent and memory stays flat)."""
    certificates = Certificate.objects.filter(pk__in=list(certificate_ids)).only(
        "pk", "serial", "person_id"
    )
    audit_records(
        action=audit.CERTIFICATE_BULK_DOWNLOADED,
        actor=user,
        events=[
            (
                f"Certificate {certificate.serial} downloaded in a bulk ZIP",
                certificate.person_id,
                certificate,
            )
            for certificate in certificates
        ],
    )
