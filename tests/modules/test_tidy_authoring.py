"""Tidy authoring: an abandoned form leaves no draft behind, the catalogue names no number of
modules, and the module editor's help text is the organisation's."""

import re

import pytest

from django.urls import reverse

from modules.models import ModuleIndexPage, ModulePage
from modules.services import MODULE_INDEX_INTRO, module_index_ensure
from quizzes.models import Quiz
from tests.factories import PolicyClauseFactory, module_page_create
from tests.modules.test_admin_authoring import _add_url, _module_form

JSON = {"HTTP_ACCEPT": "application/json"}  # as Wagtail's autosave sends it
AUTOSAVE_CONTROLLER = re.compile(r'data-controller="[^"]*\bw-autosave\b')


@pytest.fixture
def index(db):
    return module_index_ensure()


@pytest.fixture
def author_client(people, client_for, index):
    return client_for(people["author"])


@pytest.mark.django_db
def test_the_create_form_does_not_autosave_and_the_edit_form_does(author_client, index):
    create = author_client.get(_add_url(index)).content.decode()
    assert 'id="page-edit-form"' in create
    assert "data-w-autosave-interval-value" not in create
    assert not AUTOSAVE_CONTROLLER.search(create)
    module = module_page_create(clause=PolicyClauseFactory(), base_competence=False)
    edit = author_client.get(reverse("wagtailadmin_pages:edit", args=[module.pk])).content.decode()
    assert AUTOSAVE_CONTROLLER.search(edit)


@pytest.mark.django_db
def test_an_abandoned_module_leaves_no_draft_and_starting_again_keeps_its_slug(
    author_client, index
):
    clause = PolicyClauseFactory(reference="4.3")
    # What an autosave of the half-filled form would send: refused, nothing created.
    response = author_client.post(_add_url(index), _module_form(clause=clause), **JSON)
    assert response.status_code == 400
    assert not ModulePage.objects.exists()
    # Starting again with the same title takes the same slug.
    response = author_client.post(_add_url(index), _module_form(clause=clause))
    assert response.status_code == 302
    assert ModulePage.objects.get().slug == "working-with-whatsapp"


@pytest.mark.django_db
def test_an_abandoned_quiz_leaves_no_draft(author_client, index):
    module = module_page_create(clause=PolicyClauseFactory(), base_competence=False)
    url = reverse("wagtailsnippets_quizzes_quiz:add")
    create = author_client.get(url).content.decode()
    assert not AUTOSAVE_CONTROLLER.search(create)
    assert "data-w-autosave-interval-value" not in create
    data = {"module": module.pk, "title": "Quiz", "pass_mark": "80"}
    response = author_client.post(url, data, **JSON)
    assert response.status_code == 400
    assert not Quiz.objects.exists()


@pytest.mark.django_db
def test_the_catalogue_intro_names_no_number_of_modules(index):
    assert index.intro == MODULE_INDEX_INTRO
    assert "four" not in index.intro.lower()


@pytest.mark.django_db
def test_an_old_catalogue_intro_is_replaced_but_an_authors_own_is_kept(index):
    old = "<p>Four short modules on social media at work and at home. Pass all four to hold base competence.</p>"
    ModuleIndexPage.objects.filter(pk=index.pk).update(intro=old)
    assert module_index_ensure().intro == MODULE_INDEX_INTRO
    ModuleIndexPage.objects.filter(pk=index.pk).update(intro="<p>Our own words.</p>")
    assert module_index_ensure().intro == "<p>Our own words.</p>"


@pytest.mark.django_db
def test_the_module_editor_speaks_of_staff_not_the_public(author_client, index):
    html = author_client.get(_add_url(index)).content.decode()
    assert "seen by the public" not in html
    assert "domain.com" not in html
    assert "as staff see it in the catalogue" in html
    assert "/learn/&lt;this&gt;/" in html
