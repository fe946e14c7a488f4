"""The shared steps report what went wrong in words a reader can act on."""

import re

import pytest

from .steps import wait_for_saved


def test_a_save_that_comes_back_with_errors_fails_saying_them(page, people):
    page.goto("/accounts/login/")
    page.audit.check()
    page.get_by_label("Username").fill("sam.staff")
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Sign in").click()
    page.audit.check()

    with pytest.raises(AssertionError) as failure:
        wait_for_saved(page, re.compile(r"/never-reached/"), timeout=1_000)

    message = str(failure.value)
    assert "/never-reached/" in message and "/accounts/login/" in message
    assert "password you specified are not correct" in message, message
