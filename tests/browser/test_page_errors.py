"""The guard every browser test runs under (page_errors.py) catches what it must: a script the
Content-Security-Policy blocks, a resource that fails to load, an uncaught exception. It does not
count a page that answers 404 on purpose. And the icon browsers ask for is there."""

from .steps import assert_refused

INLINE_SCRIPT_JS = """() => {
  const script = document.createElement("script");
  script.textContent = "window.inlineRan = true;";
  document.body.append(script);
  return new Promise(resolve => setTimeout(resolve));
}"""


def _problems(page):
    found = page.errors.found()
    page.errors.clear()  # expected here: the test itself must not fail at the end
    return found


def test_a_blocked_inline_script_is_reported(page, people):
    page.goto("/accounts/login/")
    page.audit.check()
    assert _problems(page) == []
    page.evaluate(INLINE_SCRIPT_JS)
    assert page.evaluate("window.inlineRan") is None
    found = _problems(page)
    assert any(
        "Content-Security-Policy violation: script-src-elem blocked inline" in problem
        for problem in found
    ), found


def test_a_failed_resource_and_an_uncaught_exception_are_reported_but_a_refused_page_is_not(
    page, people
):
    assert_refused(page, "/no-such-page/")
    assert _problems(page) == []

    page.evaluate(
        "() => fetch('/static/frontend/no-such-file.js').then(response => response.status)"
    )
    found = _problems(page)
    assert len(found) == 1 and "GET" in found[0] and "no-such-file.js answered 404" in found[0], (
        found
    )
    # A script's request that fails is a fault even at the address of a page refused on purpose.
    page.evaluate(
        "() => fetch('/no-such-page/', {method: 'POST'}).then(response => response.status)"
    )
    found = _problems(page)
    assert len(found) == 1 and "POST" in found[0] and "/no-such-page/ answered" in found[0], found

    page.evaluate("""() => {
      setTimeout(() => { throw new Error("something broke"); });
      return new Promise(resolve => setTimeout(resolve));
    }""")
    found = _problems(page)
    assert len(found) == 1 and "uncaught exception" in found[0] and "something broke" in found[0], (
        found
    )


def test_every_page_has_the_organisations_icon(page, people):
    page.goto("/accounts/login/")
    page.audit.check()
    icon = page.locator("link[rel=icon]")
    assert icon.get_attribute("type") == "image/svg+xml"
    svg = page.request.get(icon.evaluate("el => el.href"))
    assert svg.status == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"#10605a" in svg.body()  # the organisation's green
    # Browsers (and feed readers, bookmarking tools) still ask for /favicon.ico.
    ico = page.request.get("/favicon.ico")
    assert ico.status == 200 and ico.url.endswith("/static/frontend/favicon.ico")
    assert ico.body().startswith(b"\x00\x00\x01\x00")  # an ICO file
