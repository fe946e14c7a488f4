"""Every page's head: a description of the page for search results and link previews (a general
one unless the page has its own), and each script loaded once."""

import re
from html import unescape

import pytest

from django.urls import reverse

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


def _descriptions(response):
    return [unescape(text) for text in DESCRIPTION.findall(response.content.decode())]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name, words",
    [
        ("account_login", "Sign in to"),
        ("accessibility_statement", "How accessible"),
        ("certificates:check_file", "Check that a"),
    ],
)
def test_public_pages_describe_themselves(client, url_name, words):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    [description] = _descriptions(response)
    assert description.startswith(words) and 50 <= len(description) <= 160, description


@pytest.mark.django_db
def test_a_page_without_its_own_description_has_the_general_one(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    [description] = _descriptions(response)
    assert "social media policy" in description


@pytest.mark.django_db
def test_a_module_is_described_by_its_summary(people, module, client_for):
    response = client_for(people["staff"]).get(module.url)
    assert response.status_code == 200
    assert _descriptions(response) == [module.summary]
    # A summary too long for a search result is cut short, with an ellipsis.
    module.summary = "A long summary. " * 20
    module.save_revision().publish()
    [description] = _descriptions(client_for(people["staff"]).get(module.url))
    assert len(description) == 160 and description.endswith("…")


@pytest.mark.django_db
def test_each_script_is_loaded_once(client):
    page = client.get("/accounts/login/").content.decode()
    loaded = re.findall(r'<script[^>]* src="([^"]+)"', page)
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)"', page)
    assert len(loaded) == len(set(loaded))
    # GOV.UK Frontend comes through init.js's import: preloaded, never a second <script>.
    assert preloaded == ["/static/frontend/govuk-frontend.min.js"]
    assert not any("govuk-frontend" in src for src in loaded)
    assert "/static/frontend/init.js" in loaded
