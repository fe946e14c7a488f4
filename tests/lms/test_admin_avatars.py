"""Avatars in the admin are the person's initials, drawn in the page: nothing to fetch, so nothing
can fail to load (the browser tests fail a page on any failed request)."""

import re
from urllib.parse import unquote

import pytest

from django.urls import reverse


@pytest.fixture
def author_client(people, client_for):
    return client_for(people["author"])


def _avatar_sources(html):
    return re.findall(r'<span\s+class="avatar[^"]*"[^>]*>.*?<img src="([^"]*)"', html, flags=re.S)


@pytest.mark.django_db
def test_the_admin_shows_the_initials_and_fetches_no_picture(author_client):
    html = author_client.get(reverse("wagtailadmin_home")).content.decode()
    sources = _avatar_sources(html)
    assert sources, "the admin shows the signed-in person's avatar"
    for source in sources:
        assert source.startswith("data:image/svg+xml,")
        assert ">AA</text>" in unquote(source)  # Alex Author
    assert "default-user-avatar" not in html and "gravatar" not in html


@pytest.mark.django_db
def test_initials_fall_back_to_the_username_and_are_escaped(django_user_model, client):
    user = django_user_model.objects.create_superuser("<b>root", "root@example.org", "pw")
    client.force_login(user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    (source, *_) = _avatar_sources(html)
    assert ">&lt;</text>" in unquote(source)


@pytest.mark.django_db
def test_the_account_page_offers_no_picture_upload(author_client):
    html = author_client.get(reverse("wagtailadmin_account")).content.decode()
    assert 'type="file"' not in html
    assert "Your initials stand for you in the admin" in html


def test_an_action_without_a_person_shows_a_question_mark():
    # Wagtail asks for the avatar of "no user" in page histories (system actions, deleted accounts).
    from lms.wagtail_hooks import avatar_initials, avatar_of_initials

    assert avatar_initials(None) == "?"
    assert ">?</text>" in unquote(avatar_of_initials(None, 50))
