"""Personal pages and downloads are never kept by a browser's or a proxy's cache; public pages
keep the headers they had (docs/deploy.md: only /static/ is cached in front of the app)."""

import pytest

from django.urls import reverse

pytestmark = pytest.mark.django_db


def _private(response):
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_personal_pages_and_downloads_are_not_stored(hostile, client_for):
    people, passed = hostile["people"], hostile["passed"]
    auditor_urls = [
        reverse("audit_trail"),
        reverse("audit_trail") + "?export=csv",
        reverse("certificates:auditor_list"),
        reverse("certificates:auditor_export", args=["csv"]),
        reverse("certificates:auditor_zip"),
        reverse("quizzes:audit_quiz_attempts_csv", args=[hostile["quiz"].pk]),
        reverse("quizzes:audit_attempt_csv", args=[hostile["attempt"].pk]),
        reverse("lms_report_overdue") + "?export=csv",
    ]
    cases = [
        (passed, reverse("home")),
        (passed, reverse("my_data")),
        (passed, reverse("my_data_download")),
        (passed, reverse("certificates:download", args=[hostile["certificate"].serial])),
        (passed, reverse("certificates:verify", args=[hostile["certificate"].code])),
        (people["manager"], reverse("team_dashboard")),
        (people["manager"], reverse("team_dashboard") + "?export=csv"),
        (people["manager"], reverse("team_dashboard") + "?export=xlsx"),
        *((people["auditor"], url) for url in auditor_urls),
    ]
    for person, url in cases:
        response = client_for(person).get(url)
        assert response.status_code == 200, url
        assert _private(response), f"{url}: Cache-Control {response.get('Cache-Control')!r}"
        client_for(person).logout()


def test_a_view_that_sets_its_own_cache_control_keeps_it(hostile, client_for):
    # Wagtail's admin says no-cache itself; the middleware does not add to or override it.
    response = client_for(hostile["people"]["auditor"]).get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_public_pages_keep_their_headers(hostile, client):
    # The public verification pages carry no Cache-Control of their own, as before; the sign-in
    # page keeps allauth's never-cache headers (it holds a CSRF token).
    for url in (
        reverse("certificates:check_file"),
        reverse("certificates:verify", args=[hostile["certificate"].code]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.has_header("Cache-Control"), f"{url}: {response['Cache-Control']}"
