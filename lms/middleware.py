"""Session limits: an idle timeout and an absolute lifetime, both enforced on the server."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers

LOGIN_AT = "lms_login_at"
SEEN_AT = "lms_seen_at"
# Writing the session on every request would cost a database write per page; a minute is
# precise enough for a 30-minute idle limit.
SEEN_RESOLUTION_SECONDS = 60


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._enforce(request)
        return self.get_response(request)

    def _enforce(self, request):
        now = time.time()
        session = request.session
        login_at = session.setdefault(LOGIN_AT, now)
        seen_at = session.get(SEEN_AT, now)
        idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
        absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
        if now - seen_at > idle or now - login_at > absolute:
            # flush() deletes the session on the server, not just the cookie.
            logout(request)
            return
        if now - seen_at >= SEEN_RESOLUTION_SECONDS or SEEN_AT not in session:
            session[SEEN_AT] = now


class PrivateResponsesMiddleware:
    """Nothing shown to a signed-in person, and no download, is kept by a browser's or a proxy's
    cache: a shared computer's back button or a caching proxy must not hand one person's records,
    certificates or exports to the next. A view that sets its own Cache-Control is left alone.
    Anonymous pages (sign-in, the public verification pages) keep their headers as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
        download = response.get("Content-Disposition", "").lower().startswith("attachment")
        if (signed_in or download) and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
