"""Everything a page of the service says went wrong in the browser: console errors, uncaught
exceptions, Content-Security-Policy violations (a blocked inline script fails silently for the
person using the page, so the tests must not let it pass silently either) and failed requests.

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
# A request the browser gave up because the page moved on is not a fault of the page.
ABORTED = "net::ERR_ABORTED"


class PageErrors:
    """Follows one browser page.

    A page the test navigated to may answer with an error status on purpose (a refused page is a
    404, a form with mistakes a 400). Every other request that fails (a stylesheet, a script, an
    icon, a fetch, even one to the same address as such a page) is a fault. Requests are watched
    as network events, which say which request it was; Chromium's console message for a failed
    resource is kept too, for the requests it makes outside the page's network events (the icon)."""

    def __init__(self, page):
        self.page = page
        self.problems = []
        self._console_failures = []  # (url, text): reported unless the network events covered them
        self._failed_documents = set()
        self._failed_requests = set()
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)

    def _response(self, response):
        if response.status < 400:
            return
        if response.request.is_navigation_request():
            self._failed_documents.add(response.url)
            return
        self._failed_requests.add(response.url)
        self.problems.append(
            f"{response.request.method} {response.url} answered {response.status} (on {self.page.url})"
        )

    def _request_failed(self, request):
        failure = request.failure or ""
        if ABORTED in failure:
            return
        self._failed_requests.add(request.url)
        self.problems.append(
            f"{request.method} {request.url} failed: {failure} (on {self.page.url})"
        )

    def _console(self, message):
        if message.type != "error":
            return
        where = message.location.get("url") or self.page.url
        if message.text.startswith(FAILED_RESOURCE):
            self._console_failures.append(
                (where, f"console error on {self.page.url}: {message.text} [{where}]")
            )
            return
        self.problems.append(f"console error on {self.page.url}: {message.text} [{where}]")

    def _page_error(self, error):
        self.problems.append(f"uncaught exception on {self.page.url}: {error}")

    def found(self):
        """Every problem so far, once each."""
        if not self.page.is_closed():
            # Events already sent by the browser are delivered before this answer comes back.
            self.page.evaluate("0")
        covered = self._failed_documents | self._failed_requests
        return self.problems + [text for url, text in self._console_failures if url not in covered]

    def clear(self):
        self.problems.clear()
        self._console_failures.clear()

    def assert_none(self):
        found = self.found()
        if found:
            pytest.fail(
                f"{len(found)} browser error(s) during the test:\n"
                + "\n".join(f"- {problem}" for problem in found),
                pytrace=False,
            )
