"""The clause chooser in the real admin: what it offers, in which order, and how it names clauses."""

import re

import pytest

from django.urls import reverse

from modules.services import policy_clause_revise
from tests.factories import PolicyClauseFactory, PolicyDocumentFactory, module_page_create

CHOOSE = "wagtailsnippetchoosers_modules_policyclause:choose"
RESULTS = "wagtailsnippetchoosers_modules_policyclause:choose_results"
CHOSEN = "wagtailsnippetchoosers_modules_policyclause:chosen"


@pytest.fixture
def author_client(people, client_for):
    return client_for(people["author"])


@pytest.fixture
def library(db):
    """Two documents: the module cites one; the other comes first alphabetically."""
    cited = PolicyDocumentFactory(title="Social media policy", short_name="Zeta SMP")
    other = PolicyDocumentFactory(title="Another policy", short_name="Alpha guide")
    return {
        "cited_clause": PolicyClauseFactory(
            document=cited, reference="2.19", heading="WhatsApp with children"
        ),
        "cited_sibling": PolicyClauseFactory(
            document=cited,
            reference="7.5",
            heading="Repeat viewing needs RIPA authorisation",
            summary="Repeated or regular viewing of public accounts may amount to directed "
            "surveillance and needs RIPA authorisation before anyone looks again.",
        ),
        "other_clause": PolicyClauseFactory(
            document=other, reference="1.1", heading="Be kind online"
        ),
    }


def _rows(html):
    """The clause rows of a chooser's results, as (document cell, clause cell) texts."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows]
    return [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in row]
        for row in cells
        if row
    ]


@pytest.mark.django_db
def test_the_module_own_documents_come_first_with_short_names_and_opening_words(
    author_client, library, wagtail_root
):
    module = module_page_create(clause=library["cited_clause"], base_competence=False)
    response = author_client.get(reverse(RESULTS), {"module": module.pk})
    assert response.status_code == 200
    rows = _rows(response.content.decode())
    assert [row[0] for row in rows] == [
        "Zeta SMP (cited here)",
        "Zeta SMP (cited here)",
        "Alpha guide",
    ]
    assert rows[0][1].startswith("2.19 WhatsApp with children")
    assert rows[1][1].startswith("7.5 Repeat viewing needs RIPA authorisation")
    # The first words of the clause, not the whole of it.
    assert rows[1][3] == (
        "Repeated or regular viewing of public accounts may amount to directed surveillance…"
    )


@pytest.mark.django_db
def test_without_a_module_the_clauses_come_by_document(author_client, library):
    rows = _rows(author_client.get(reverse(RESULTS)).content.decode())
    assert [row[0] for row in rows] == ["Zeta SMP", "Zeta SMP", "Alpha guide"] or [
        row[0] for row in rows
    ] == ["Alpha guide", "Zeta SMP", "Zeta SMP"]
    assert not any("cited here" in row[0] for row in rows)


@pytest.mark.django_db
def test_a_nonsense_module_parameter_changes_nothing(author_client, library):
    for value in ["abc", "999999", "-1"]:
        response = author_client.get(reverse(RESULTS), {"module": value})
        assert response.status_code == 200
        assert not any("cited here" in row[0] for row in _rows(response.content.decode()))


@pytest.mark.django_db
def test_superseded_and_unpublished_versions_are_never_offered(author_client, library):
    old = library["cited_sibling"]
    new = policy_clause_revise(  # published at once (the content loader's way)
        clause=old, heading="Repeat viewing: the revised rule", summary="New words.", user=None
    )
    draft = PolicyClauseFactory(
        document=old.document, reference="9.9", heading="Still being written", live=False
    )
    for params in [{}, {"q": "repeat"}, {"q": "7.5"}]:
        offered = [
            row[1] for row in _rows(author_client.get(reverse(RESULTS), params).content.decode())
        ]
        assert any(text.startswith("7.5 Repeat viewing: the revised rule") for text in offered)
        assert not any(text.startswith("7.5 Repeat viewing needs RIPA") for text in offered)
        assert not any("Still being written" in text for text in offered)
    assert new.version == 2 and draft.pk


@pytest.mark.django_db
def test_a_proposed_version_waiting_for_review_leaves_the_current_one_offered(
    author_client, library, people
):
    old = library["cited_sibling"]
    proposed = policy_clause_revise(
        clause=old, heading="Proposed words", summary="New words.", user=people["author"].user
    )
    assert not proposed.live
    offered = [row[1] for row in _rows(author_client.get(reverse(RESULTS)).content.decode())]
    assert any(text.startswith("7.5 Repeat viewing needs RIPA") for text in offered)
    assert not any("Proposed words" in text for text in offered)


@pytest.mark.django_db
def test_search_keeps_the_module_context_and_finds_by_words(author_client, library, wagtail_root):
    module = module_page_create(clause=library["cited_clause"], base_competence=False)
    choose = author_client.get(reverse(CHOOSE), {"module": module.pk})
    assert choose.status_code == 200
    # The modal's search and pages go to the results view with the module kept.
    assert f"{reverse(RESULTS)}?multiple" not in choose.json()["html"]
    assert f"module={module.pk}" in choose.json()["html"]
    rows = _rows(
        author_client.get(reverse(RESULTS), {"module": module.pk, "q": "kind"}).content.decode()
    )
    assert [row[0] for row in rows] == ["Alpha guide"]


@pytest.mark.django_db
def test_a_chosen_clause_is_named_by_its_short_label(author_client, library):
    clause = library["cited_sibling"]
    response = author_client.get(reverse(CHOSEN, args=[clause.pk]))
    assert response.json()["result"]["string"] == (
        "Zeta SMP 7.5 (v1): Repeat viewing needs RIPA authorisation"
    )


@pytest.mark.django_db
def test_the_module_editor_sends_its_id_to_the_clause_chooser(author_client, library, wagtail_root):
    module = module_page_create(clause=library["cited_clause"], base_competence=False)
    html = author_client.get(reverse("wagtailadmin_pages:edit", args=[module.pk])).content.decode()
    assert f'<data id="clause-chooser-module" value="{module.pk}" hidden></data>' in html
    assert "#clause-chooser-module" in html  # the steps' chooser widgets link to it
    assert "Zeta SMP 2.19 (v1): WhatsApp with children" in html


@pytest.mark.django_db
def test_the_chooser_needs_an_admin_login(client, library):
    response = client.get(reverse(RESULTS))
    assert response.status_code in (302, 403)
    assert "WhatsApp" not in response.content.decode()


@pytest.mark.django_db
def test_a_typed_reference_finds_its_clause(author_client, library):
    rows = _rows(author_client.get(reverse(RESULTS), {"q": "7.5"}).content.decode())
    assert [row[1][:3] for row in rows] == ["7.5"]
