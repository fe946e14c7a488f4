"""The HTML check every journey page goes through (html_validity.py, run by ``page.audit.check()``)
catches what it must: a page served with invalid HTML fails the audit, naming the page and what is
wrong; the service's own pages pass."""

import pytest

# What the stacked tables used to be served with: ARIA roles repeating the table's own elements.
INVALID_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Broken – Test learning</title></head>
<body><main><h1>Broken</h1>
<table><tr role="row"><td role="cell">A cell</td></tr></table>
</main></body></html>"""
VALID_PAGE = INVALID_PAGE.replace(' role="row"', "").replace(' role="cell"', "")


def test_the_checker_reports_errors_and_only_errors(html_checker):
    errors = html_checker.errors(INVALID_PAGE)
    assert len(errors) == 2, errors
    assert all("“role” attribute must not be used" in error["message"] for error in errors)
    assert html_checker.errors(VALID_PAGE) == []
    # A warning (a role that merely repeats an element's own) is not an error.
    warned = VALID_PAGE.replace("<main>", '<main role="main">')
    assert html_checker.errors(warned) == []
    assert any(message["type"] == "info" for message in html_checker.messages(warned))


def test_a_page_served_with_invalid_html_fails_its_audit(page, live_server):
    url = f"{live_server.url}/broken-page/"
    page.route(
        url,
        lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=INVALID_PAGE
        ),
    )
    page.goto(url)
    with pytest.raises(pytest.fail.Exception) as failure:
        page.audit.check()
    report = str(failure.value)
    assert f"2 HTML validation error(s) (Nu HTML Checker) on {url}" in report
    assert "“role” attribute must not be used on a “tr” element" in report
    assert "“role” attribute must not be used on a “td” element" in report


def test_the_html_checked_is_what_was_served_not_what_scripts_made_of_it(page, people):
    page.goto("/accounts/login/")
    page.audit.check()
    # A script breaking the document afterwards changes nothing in what the server is answerable for.
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<center>old</center>')"
    )
    page.audit.check()
