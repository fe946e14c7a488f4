"""E-mail addresses come from the organisation (the HR file, Entra ID, an administrator), never
from the person: an address someone sets for themselves never makes the HR import or single
sign-on pick their account (the takeover of a new starter's HR record, reports and roles)."""

import pytest
from allauth.account.models import EmailAddress

from django.contrib.auth import get_user_model
from django.urls import reverse

from lms import roles
from people.models import Person
from people.services import people_import

HEADER = "employee_number,first_name,last_name,email,team,job_title,line_manager_employee_number,start_date\n"
NEW_STARTER = HEADER + (
    "E1,Zed,Newboss,zed.newboss@example.org,Directorate,Head of service,,2026-01-05\n"
    "E2,Rae,Report,rae.report@example.org,Directorate,Adviser,E1,2026-01-05\n"
)


def _claim_address_as_allauth_let_them(user, email):
    """What allauth's e-mail page used to allow: add an address and make it primary, unverified."""
    EmailAddress.objects.filter(user=user).update(primary=False)
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    user.email = email
    user.save(update_fields=["email"])


@pytest.mark.django_db
def test_staff_cannot_add_or_change_or_make_primary_an_address(client, people):
    staff = people["staff"].user
    client.force_login(staff)
    page = client.get(reverse("account_email"))
    assert page.status_code == 200
    assert (
        "comes from your organisation" in page.content.decode()
        and "sam.staff@example.org" in page.content.decode()
    )
    for data in [
        {"action_add": "", "email": "zed.newboss@example.org"},
        {"action_primary": "", "email": "zed.newboss@example.org"},
        {"action_remove": "", "email": "sam.staff@example.org"},
        {"action_send": "", "email": "sam.staff@example.org"},
    ]:
        response = client.post(reverse("account_email"), data)
        assert response.status_code == 403 and "Nothing was changed" in response.content.decode()
    staff.refresh_from_db()
    assert staff.email == "sam.staff@example.org"
    assert list(
        EmailAddress.objects.filter(user=staff).values_list("email", "verified", "primary")
    ) == [("sam.staff@example.org", True, True)]


@pytest.mark.django_db
def test_the_email_page_needs_a_sign_in(client, db):
    response = client.get(reverse("account_email"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_an_address_a_user_set_never_makes_the_hr_import_pick_their_account(people):
    attacker = people["staff"].user
    _claim_address_as_allauth_let_them(attacker, "zed.newboss@example.org")
    result = people_import(data=NEW_STARTER.encode())
    assert result.created == 2 and result.updated == 0
    zed = Person.objects.get(employee_number="E1")
    assert zed.user != attacker and zed.user.email == "zed.newboss@example.org"
    assert zed.user.groups.filter(name=roles.LINE_MANAGERS).exists()
    attacker.refresh_from_db()
    assert attacker.first_name == "Sam" and attacker.person.employee_number is None
    assert not attacker.groups.filter(name=roles.LINE_MANAGERS).exists()
    assert not Person.objects.filter(line_manager=attacker.person).exists()
    # The address the attacker claimed went to its owner; nothing of it is left on their account.
    assert attacker.email == ""
    assert not EmailAddress.objects.filter(user=attacker, email="zed.newboss@example.org").exists()
    assert EmailAddress.objects.get(email="zed.newboss@example.org").user == zed.user


@pytest.mark.django_db
def test_the_attacker_cannot_see_the_new_starters_reports(client, people):
    attacker = people["staff"].user
    _claim_address_as_allauth_let_them(attacker, "zed.newboss@example.org")
    people_import(data=NEW_STARTER.encode())
    client.force_login(attacker)
    rae = Person.objects.get(employee_number="E2")
    assert client.get(reverse("team_member", args=[rae.pk])).status_code in (403, 404)


@pytest.mark.django_db
def test_the_import_still_adopts_an_account_by_the_address_the_organisation_gave(people):
    people_import(
        data=(
            HEADER + "E9,Sam,Staff,sam.staff@example.org,Family court team,Adviser,,2020-01-01\n"
        ).encode()
    )
    people["staff"].refresh_from_db()
    assert people["staff"].employee_number == "E9"


@pytest.mark.django_db
def test_an_administrators_address_is_never_taken_over_by_the_import(people):
    admin = get_user_model().objects.create_superuser(
        "root", "root@example.org", "a-long-admin-password"
    )
    from people.services import PeopleImportError

    with pytest.raises(PeopleImportError) as error:
        people_import(data=(HEADER + "E1,Ro,Ot,root@example.org,T,J,,2020-01-01\n").encode())
    assert [str(e) for e in error.value.errors] == [
        "Line 2: the email root@example.org belongs to another account"
    ]
    admin.refresh_from_db()
    assert admin.email == "root@example.org"


@pytest.mark.django_db
def test_an_hr_change_of_address_replaces_the_old_one(people):
    people_import(data=(HEADER + "E9,Sam,Staff,sam.staff@example.org,T,J,,2020-01-01\n").encode())
    people_import(data=(HEADER + "E9,Sam,Staff,sam.renamed@example.org,T,J,,2020-01-01\n").encode())
    user = people["staff"].user
    user.refresh_from_db()
    assert user.email == "sam.renamed@example.org"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "sam.renamed@example.org"
    ]


@pytest.mark.django_db
def test_the_migration_records_existing_addresses_as_the_organisations_but_not_those_users_set(
    people,
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("lms.migrations.0005_organisation_given_email_addresses")
    EmailAddress.objects.all().delete()
    untouched = people["manager"].user  # never used allauth's e-mail page
    attacker = people["staff"].user
    _claim_address_as_allauth_let_them(attacker, "zed.newboss@example.org")
    migration.forwards(apps, None)
    assert list(
        EmailAddress.objects.filter(user=untouched).values_list("email", "verified", "primary")
    ) == [("maria.manager@example.org", True, True)]
    assert not EmailAddress.objects.filter(user=attacker, verified=True).exists()
    result = people_import(data=NEW_STARTER.encode())
    assert result.created == 2 and Person.objects.get(employee_number="E1").user != attacker
