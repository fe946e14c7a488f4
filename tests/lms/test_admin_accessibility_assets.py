"""The Wagtail admin's accessibility fixes (lms/static/lms/admin.css and admin.js) are on every
admin page, as files (the browser tests in tests/browser/test_admin_accessibility.py show what they
do), and the admin dashboard asks no third party for Wagtail's latest version."""

import pytest

from django.contrib.staticfiles import finders

ADMIN_ASSETS = ("/static/lms/admin.css", "/static/lms/admin.js")


@pytest.mark.parametrize("path", ["/admin/", "/admin/snippets/modules/policyclause/"])
def test_every_admin_page_loads_the_fixes(client_for, people, path):
    response = client_for(people["author"]).get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<link rel="stylesheet" href="{ADMIN_ASSETS[0]}">' in html
    assert f'<script src="{ADMIN_ASSETS[1]}" defer></script>' in html
    # Both are found by the static files finders, so collectstatic ships them.
    for asset in ADMIN_ASSETS:
        assert finders.find(asset.removeprefix("/static/"))


def test_the_service_pages_do_not_load_the_admin_fixes(client_for, people):
    html = client_for(people["staff"]).get("/").content.decode()
    assert not any(asset in html for asset in ADMIN_ASSETS)


def test_the_dashboard_asks_nobody_for_wagtails_latest_version(client_for, people):
    people["author"].user.is_superuser = True
    people["author"].user.save()
    html = client_for(people["author"]).get("/admin/").content.decode()
    assert "releases.wagtail.org" not in html
    assert "data-w-upgrade" not in html
