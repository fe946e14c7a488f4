"""Record which e-mail addresses the organisation gave, now that only those match people.

Before this, an account's address lived only on the user row (set by an administrator, the HR
import, the demo or Entra ID) unless its owner used allauth's e-mail page, which made an
unverified address row. So: a user with no address rows has an address the organisation gave,
and a user who signed in with Entra has the address Entra gave. Both become verified. Addresses
people added for themselves stay unverified and no longer count for anything."""

from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    EmailAddress = apps.get_model("account", "EmailAddress")
    SocialAccount = apps.get_model("socialaccount", "SocialAccount")
    taken = {email.lower() for email in EmailAddress.objects.filter(verified=True).values_list("email", flat=True)}
    with_rows = set(EmailAddress.objects.values_list("user_id", flat=True))
    with_sso = set(SocialAccount.objects.values_list("user_id", flat=True))
    candidates = {}
    for user_id, email in User.objects.exclude(email="").values_list("pk", "email"):
        if user_id not in with_rows or user_id in with_sso:
            candidates.setdefault(email.strip().lower(), []).append(user_id)
    for email, user_ids in candidates.items():
        if len(user_ids) != 1 or email in taken:
            continue  # Shared or already someone's: the organisation must say whose it is.
        user_id = user_ids[0]
        EmailAddress.objects.filter(user_id=user_id, primary=True).exclude(email__iexact=email).update(primary=False)
        updated = EmailAddress.objects.filter(user_id=user_id, email__iexact=email).update(verified=True, primary=True)
        if not updated:
            EmailAddress.objects.create(user_id=user_id, email=email, verified=True, primary=True)


class Migration(migrations.Migration):
    dependencies = [
        ("lms", "0004_merge_tracking_and_audit"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("socialaccount", "0006_alter_socialaccount_extra_data"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
