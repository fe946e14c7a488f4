from django.urls import reverse


def test_the_statement_is_public_and_linked_from_every_page(client, db):
    statement_url = reverse("accessibility_statement")
    response = client.get(statement_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Accessibility statement – " in html
    assert "WCAG" in html and "Enforcement procedure" in html
    # The footer of any page, the sign-in page included, links to it.
    assert (
        f'href="{statement_url}">Accessibility statement</a>'
        in client.get(reverse("login")).content.decode()
    )
