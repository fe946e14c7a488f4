"""An L&D author signs in with a password for the first time since two-factor authentication became
required: held on the enrolment page, they set up an authenticator app (the test plays the app,
computing the code from the secret the page shows), see their recovery codes, and reach the admin.
Every enrolment page is checked as every page of the service is (HTML, axe, title)."""

import re

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from lms import roles

from .keyboard import activate, press, tab_to
from .steps import PASSWORD, sign_in


def _code_now(secret):
    """What the authenticator app shows now (the middle of the window allauth accepts)."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def test_an_author_enrols_an_authenticator_app_and_reaches_the_admin(page, people, settings):
    # The other journeys start after enrolment (conftest); this one walks it.
    settings.LMS_MFA_REQUIRED_ROLES = [roles.AUTHORS, roles.REVIEWERS, roles.AUDITORS]
    settings.LMS_MFA_REQUIRED_FOR_SUPERUSERS = True

    sign_in(page, "alex.author", start_at="/accounts/login/?next=/admin/")
    assert page.url.endswith("/accounts/two-factor/required/"), page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor authentication"
    # Nothing else opens until it is set up.
    page.goto("/admin/")
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor authentication"

    activate(page, page.get_by_role("link", name="Set up an authenticator app"))
    page.audit.check()
    # allauth asks for the password again before a security change.
    if page.get_by_label("Password").count():
        tab_to(page, page.get_by_label("Password"))
        page.keyboard.type(PASSWORD)
        press(page, "Enter")
        page.audit.check()

    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    tab_to(page, page.get_by_label(re.compile("Authenticator code|Code", re.I)))
    page.keyboard.type(_code_now(secret))
    press(page, "Enter")
    page.audit.check()

    # Recovery codes, each good once if the phone is lost.
    assert "recovery-codes" in page.url, page.url
    shown = page.content()  # allauth shows the codes in a read-only text area
    user = people["author"].user
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert all(code in shown for code in codes.wrap().get_unused_codes())
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    # And now the admin opens.
    page.goto("/admin/")
    assert re.search(r"/admin/$", page.url), page.url
    assert page.get_by_role("heading", level=1).count()
