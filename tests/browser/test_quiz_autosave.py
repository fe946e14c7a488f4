"""A quiz saves itself as the person answers: no button pressed, nothing lost on reload. The
saving script is part of the built front end, allowed by the Content-Security-Policy (any
violation or console error fails the test, see page_errors.py)."""

from django.urls import reverse

from quizzes.models import Attempt
from tests.factories import attempt_begin

from .keyboard import choose_radio
from .steps import sign_in


def _saves_choice(response, *, attempt_url, field, value):
    """The autosave request that carries this choice (not the page's own form submission)."""
    request = response.request
    return (
        request.method == "POST"
        and response.url.endswith(attempt_url)
        and request.headers.get("accept") == "application/json"
        and f'name="{field}"\r\n\r\n{value}\r\n' in (request.post_data or "")
    )


def test_an_answer_is_saved_without_pressing_a_button(page, people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    attempt_url = reverse("quizzes:attempt", args=[attempt.pk])
    first = attempt.questions[0]
    field, chosen = f"q-{first['id']}", first["options"][0]["id"]

    sign_in(page, "sam.staff", start_at=attempt_url)
    assert page.get_by_role("heading", level=1).is_visible()
    assert Attempt.objects.get(pk=attempt.pk).draft == {}

    with page.expect_response(
        lambda response: _saves_choice(response, attempt_url=attempt_url, field=field, value=chosen)
    ) as saved:
        choose_radio(page, name=field, index=0)
    assert saved.value.status == 200 and saved.value.json()["saved"] is True
    assert Attempt.objects.get(pk=attempt.pk).draft == {str(first["id"]): [str(chosen)]}
    status = page.get_by_role("status")
    assert status.inner_text().startswith("Your answers were saved at ")

    # Reloaded (or come back to later): the answer is there, and the form still submits.
    page.reload()
    page.audit.check()
    assert page.locator(f"input[name='{field}']").nth(0).is_checked()
    assert "Last saved at" in page.locator("main").inner_text()
