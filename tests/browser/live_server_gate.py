"""A gate in front of pytest-django's live server, so that a browser test's requests reach the
database only while that test holds it.

Pages keep talking to the server after a test has finished with them. Wagtail's editor releases
its editing session with ``navigator.sendBeacon`` as the page goes away, which Chromium delivers
after ``context.close()`` has returned: by then the test's database has been flushed, and the next
test may be setting up its own. On SQLite the live server shares the test's in-memory connection,
so such a request, refused by pytest-django's database blocker halfway through a transaction,
left that connection outside autocommit and broke every later test on the worker.

The gate admits a request only while a test is running and only from that test's browser
contexts, which carry the current generation in a cookie; anything else gets a 503 without
touching the database. When a test ends the gate shuts and waits for the requests already
inside to finish (their response bodies included, which may read the database as they stream)."""

import secrets
import threading
from collections import Counter

from django.http.cookie import parse_cookie

GENERATION_COOKIE = "browser_test_generation"
REFUSED_BODY = b"The browser test this request belonged to has ended."


class LiveServerGateStuck(AssertionError):
    pass


class _CountedBody:
    """A response body that lets the gate know when the server has finished with it."""

    def __init__(self, body, finished):
        self._body = body
        self._finished = finished

    def __iter__(self):
        return iter(self._body)

    def close(self):
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._finished()


class LiveServerGate:
    """WSGI middleware wrapping the live server's application (see the module's docstring)."""

    def __init__(self, app):
        self.app = app
        self._changed = threading.Condition()
        self._generation = None  # None: shut
        self._only_marked = True
        self._inside = Counter()  # path -> requests being served
        self.refused = []  # paths, in the order they were refused

    def open(self, *, only_marked=True):
        """Let a new test in; returns the generation its browser contexts must carry. A test
        whose requests come from elsewhere (Lighthouse's own browser) opens it to everyone."""
        with self._changed:
            self._generation = secrets.token_hex(8)
            self._only_marked = only_marked
            return self._generation

    def shut(self, *, timeout=30):
        """Refuse every new request and wait until the ones inside have finished."""
        with self._changed:
            self._generation = None
            if not self._changed.wait_for(lambda: not self._inside, timeout=timeout):
                raise LiveServerGateStuck(
                    f"The live server was still serving {dict(self._inside)} {timeout} s after "
                    "the test ended."
                )

    def wait_for_refusal(self, path, *, timeout=10):
        """Wait until a request for ``path`` has been refused; False if none came in time."""
        with self._changed:
            return self._changed.wait_for(lambda: path in self.refused, timeout=timeout)

    def _admits(self, environ):
        if self._generation is None:
            return False
        marked = parse_cookie(environ.get("HTTP_COOKIE", "")).get(GENERATION_COOKIE)
        if marked is None:
            return not self._only_marked
        return marked == self._generation

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        with self._changed:
            admitted = self._admits(environ)
            if admitted:
                self._inside[path] += 1
            else:
                self.refused.append(path)
                self._changed.notify_all()
        if not admitted:
            start_response(
                "503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")]
            )
            return [REFUSED_BODY]

        def finished():
            with self._changed:
                self._inside[path] -= 1
                if not self._inside[path]:
                    del self._inside[path]
                self._changed.notify_all()

        try:
            body = self.app(environ, start_response)
        except BaseException:
            finished()
            raise
        return _CountedBody(body, finished)
