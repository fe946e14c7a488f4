from django.urls import reverse


def test_login_with_a_wrong_password_says_so_and_keeps_the_username(client, people):
    response = client.post(reverse("login"), {"username": "sam.staff", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'value="sam.staff"' in html
    assert "_auth_user_id" not in client.session


def test_login_then_logout_ends_the_session(client, people):
    response = client.post(
        reverse("login"), {"username": "sam.staff", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_pages_need_a_login(client, db):
    for name in ["home", "team_dashboard", "certificates:auditor_list"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


def test_the_sign_in_page_links_to_the_password_reset_page(client, db):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("account_reset_password")}">Forgot your password?</a>' in page
    assert client.get(reverse("account_reset_password")).status_code == 200


def test_no_password_reset_link_when_passwords_are_turned_off(client, db, settings):
    settings.LOCAL_PASSWORD_LOGIN = False
    assert "Forgot your password?" not in client.get(reverse("login")).content.decode()
