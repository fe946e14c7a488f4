"""Everything a page of the service says went wrong in the browser: console errors, uncaught
exceptions and Content-Security-Policy violations (a blocked inline script fails silently for the
person using the page, so the tests must not let it pass silently either).

Each page's problems are collected as they happen and asserted at the end of the test."""

import pytest

# Runs in every document before the page's own scripts. Chromium also writes its own console
# message for a violation; this one names the directive and what was blocked, whatever the build.
CSP_LISTENER_JS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content-Security-Policy violation: ${event.effectiveDirective} blocked `
    + `${event.blockedURI || "(inline)"} in ${event.documentURI}`
    + (event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : ""));
});
"""
FAILED_RESOURCE = "Failed to load resource"


class PageErrors:
    """Follows one browser page. A page the test navigated to may answer with an error status on
    purpose (a refused page is a 404, a form with mistakes a 400): Chromium reports that as a
    failed resource, which is not a fault when it is the document itself. Every other failed
    resource (a stylesheet, a script, an icon, a fetch) is."""

    def __init__(self, page):
        self.page = page
        self.problems = []
        self.documents = set()
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        page.on("response", self._response)

    def _response(self, response):
        if response.request.is_navigation_request():
            self.documents.add(response.url)

    def _console(self, message):
        if message.type != "error":
            return
        where = message.location.get("url") or self.page.url
        if message.text.startswith(FAILED_RESOURCE) and where in self.documents:
            return
        self.problems.append(f"console error on {self.page.url}: {message.text} [{where}]")

    def _page_error(self, error):
        self.problems.append(f"uncaught exception on {self.page.url}: {error}")

    def assert_none(self):
        if not self.page.is_closed():
            # Events already sent by the browser are delivered before this answer comes back.
            self.page.evaluate("0")
        if self.problems:
            pytest.fail(
                f"{len(self.problems)} browser error(s) during the test:\n" + "\n".join(f"- {p}" for p in self.problems),
                pytrace=False,
            )
