"""The icon browsers show for the service: linked from every page, and at /favicon.ico too."""

from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse


def test_favicon_ico_sends_browsers_to_the_built_icon(client, db):
    response = client.get("/favicon.ico")
    assert reverse("favicon") == "/favicon.ico"
    # Temporary: the static name changes with the file's content once collected with hashes.
    assert response.status_code == 302 and response["Location"] == static("frontend/favicon.ico")
    assert not response.cookies  # the same answer for everyone, no session started


def test_the_icons_are_part_of_the_built_front_end():
    ico, svg = finders.find("frontend/favicon.ico"), finders.find("frontend/favicon.svg")
    assert ico and svg, "run `make frontend`"
    with open(ico, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"
    with open(svg, encoding="utf-8") as icon:
        assert "#10605a" in icon.read()  # the organisation's green


def test_every_page_links_its_icon(client, db):
    page = client.get(reverse("login")).content.decode()
    assert f'<link rel="icon" href="{static("frontend/favicon.svg")}" type="image/svg+xml">' in page
