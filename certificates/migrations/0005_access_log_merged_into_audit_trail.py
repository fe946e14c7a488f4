"""The certificate access log is merged into the one audit trail (lms.AuditEvent), then dropped.

Single downloads and the revoked certificate itself were already in the audit trail; what was
only in the access log is copied across with its own time: each certificate of a bulk ZIP (the
trail had one event a batch) and the base-competence certificates revoked with a module one."""

import datetime

from django.db import migrations

ACTIONS = {
    "download": ("certificate.download", "Certificate {serial} downloaded"),
    "bulk_download": ("certificate.bulk_download", "Certificate {serial} downloaded in a bulk ZIP"),
    "revoke": ("certificate.revoke", "Certificate {serial} revoked"),
}
SAME_EVENT_WITHIN_SECONDS = 60


def forwards(apps, schema_editor):
    AccessLog = apps.get_model("certificates", "CertificateAccessLog")
    AuditEvent = apps.get_model("lms", "AuditEvent")
    # Keep each record's own time: the audit trail stamps new rows unless told otherwise.
    AuditEvent._meta.get_field("at").auto_now_add = False
    copies = []
    for record in AccessLog.objects.select_related("certificate").order_by("at", "pk").iterator():
        action, summary = ACTIONS[record.action]
        target_id = str(record.certificate_id)
        already = AuditEvent.objects.filter(
            action=action,
            target_type="certificates.Certificate",
            target_id=target_id,
            actor_id=record.user_id,
            at__range=(
                record.at - datetime.timedelta(seconds=SAME_EVENT_WITHIN_SECONDS),
                record.at + datetime.timedelta(seconds=SAME_EVENT_WITHIN_SECONDS),
            ),
        ).exists()
        if already:
            continue
        copies.append(
            AuditEvent(
                at=record.at,
                action=action,
                actor_id=record.user_id,
                actor_name=record.user_name,
                subject_person_id=record.certificate.person_id,
                target_type="certificates.Certificate",
                target_id=target_id,
                summary=summary.format(serial=record.certificate.serial),
                data={"copied_from": "certificate access log"},
            )
        )
    AuditEvent.objects.bulk_create(copies, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0004_person_moved_to_people"),
        ("lms", "0006_people_and_tracking_moved_out"),
    ]

    operations = [
        # No way back: the audit trail is append-only, and it now holds these records.
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.DeleteModel(name="CertificateAccessLog"),
    ]
