import pytest

from django.contrib.auth.models import Group
from django.urls import reverse

from lms import roles
from modules.services import roles_sync


def test_roles_sync_is_idempotent(db):
    roles_sync()
    first = {
        group.name: set(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.all()
    }
    roles_sync()
    second = {
        group.name: set(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.all()
    }
    assert first == second
    assert set(roles.ALL_ROLES) <= set(first)


def test_authors_may_edit_modules_quizzes_and_policies_and_nothing_else(people):
    user = people["author"].user
    assert user.has_perm("wagtailadmin.access_admin")
    for permission in [
        "modules.change_policyclause",
        "modules.add_policydocument",
        "quizzes.change_quiz",
        "quizzes.add_singlechoicequestion",
        "quizzes.change_truefalsequestion",
    ]:
        assert user.has_perm(permission), permission
    for permission in [
        "auth.change_user",
        "auth.change_group",
        "people.change_person",
        "certificates.view_certificate",
        "quizzes.view_attempt",
        "wagtailcore.change_site",
    ]:
        assert not user.has_perm(permission), permission


def test_author_reaches_the_admin_but_not_user_management(client_for, people):
    client = client_for(people["author"])
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/snippets/modules/policyclause/").status_code == 200
    assert client.get("/admin/users/").status_code in (302, 403)


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_other_roles_have_no_admin_access(client_for, people, who):
    client = client_for(people[who])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get(response.url).status_code == 404


def test_the_admin_sends_visitors_to_the_one_login(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("login") + "?next=/admin/"


def test_authors_may_write_every_kind_of_question_and_no_evidence(people):
    """The role names its models by label (lms sits below quizzes): a new question kind that is
    not added there fails here rather than being silently uneditable."""
    from quizzes.kinds import KINDS

    user = people["author"].user
    for kind in KINDS.values():
        model = kind.model._meta.model_name
        assert model in roles.AUTHOR_MODEL_PERMISSIONS["quizzes"], model
        assert user.has_perm(f"quizzes.add_{model}") and user.has_perm(f"quizzes.change_{model}")
    assert not user.has_perm("quizzes.change_attempt")
    assert not user.has_perm("quizzes.add_retryallowance")
