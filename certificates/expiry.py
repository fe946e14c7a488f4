"""When a certificate expires and whether it has: the one rule that certificates, verification,
recertification and tracking all ask. A certificate is valid to the end of its expiry date."""

import datetime

from dateutil.relativedelta import relativedelta

from django.conf import settings
from django.db.models import Q

# What a valid certificate past its date reads as, to an auditor, a manager and the holder alike.
EXPIRED = "expired"
EXPIRED_LABEL = "Expired"


def expiry_date(*, issued_on, validity_months):
    """The expiry date of a module certificate issued on ``issued_on``: the same day
    ``validity_months`` later (or that month's last day, for the 31st of a shorter month)."""
    return issued_on + relativedelta(months=validity_months)


def has_expired(*, expires_on, today):
    return expires_on < today


def is_expiring_soon(*, expires_on, today, window_days=None):
    """Still valid, but expiring within ``window_days`` (``LMS_EXPIRING_SOON_DAYS`` unless a
    caller passes it in to stay pure): time to recertify."""
    if window_days is None:
        window_days = settings.LMS_EXPIRING_SOON_DAYS
    horizon = today + datetime.timedelta(days=window_days)
    return today <= expires_on <= horizon


def unexpired_on(today, *, prefix=""):
    """The query condition for a certificate (or, with ``prefix``, a related one) not yet expired."""
    return Q(**{f"{prefix}expires_on__gte": today})


def expired_on(today, *, prefix=""):
    return Q(**{f"{prefix}expires_on__lt": today})
