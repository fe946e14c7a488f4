"""The admin's search boxes take whatever people type: search-engine syntax is plain text."""

import pytest

from django.urls import reverse

from tests.factories import PolicyClauseFactory

HOSTILE_QUERIES = [
    '"',
    '""',
    '"WhatsApp',
    "*",
    "WhatsApp*",
    "(",
    ")",
    "(WhatsApp",
    "-",
    "-WhatsApp",
    "NEAR",
    "WhatsApp NEAR children",
    "NEAR(WhatsApp children)",
    "AND",
    "OR",
    "NOT",
    "WhatsApp AND",
    "^",
    ":",
    "heading:WhatsApp",
    "{",
    "+",
    "'",
    "\\",
    "WhatsApp OR",
    "%",
    "_",
]


@pytest.fixture
def author_client(people, client_for):
    return client_for(people["author"])


@pytest.mark.django_db
@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_search_syntax_never_breaks_the_clause_listing(author_client, query):
    PolicyClauseFactory(reference="4.3", heading="WhatsApp with children")
    response = author_client.get(reverse("wagtailsnippets_modules_policyclause:list"), {"q": query})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("query", ['"WhatsApp', 'WhatsApp"', "(WhatsApp", "-WhatsApp", "WhatsApp*"])
def test_the_words_around_search_syntax_are_still_found(author_client, query):
    PolicyClauseFactory(reference="4.3", heading="WhatsApp with children")
    PolicyClauseFactory(reference="7.1", heading="Court orders for viewing")
    page = author_client.get(
        reverse("wagtailsnippets_modules_policyclause:list"), {"q": query}
    ).content.decode()
    assert "WhatsApp with children" in page and "Court orders for viewing" not in page
