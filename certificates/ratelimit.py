"""A fixed-window rate limit per client address, kept in the cache so it holds across processes
(given a shared cache such as Redis or the database cache in production)."""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

TOO_MANY_MESSAGE = (
    "You have checked too many certificates in a short time. Wait a minute, then try again."
)


def client_address(request):
    """REMOTE_ADDR, or the address our own trusted proxies recorded in X-Forwarded-For."""
    trusted = settings.CERTIFICATE_VERIFY_TRUSTED_PROXIES
    if trusted:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR", "unknown")


# The limiter's clock, a module attribute so that tests can hold it inside one window: with the
# real clock a test's requests may straddle a window's edge and find their count reset.
clock = time.time


def window_count_exceeded(*, key, limit, window):
    """Count one use of ``key`` in the current fixed window of ``window`` seconds; True once the
    count goes over ``limit``. Shared by every limit of the platform (the API's too)."""
    key = f"ratelimit:{key}:{int(clock() // window)}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count > limit


def rate_limit_exceeded(*, request, scope):
    """Count this request against the client's window; True once it goes over the limit."""
    return window_count_exceeded(
        key=f"{scope}:{client_address(request)}",
        limit=settings.CERTIFICATE_VERIFY_RATE_LIMIT,
        window=settings.CERTIFICATE_VERIFY_RATE_WINDOW_SECONDS,
    )


def too_many_requests():
    response = HttpResponse(TOO_MANY_MESSAGE, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(settings.CERTIFICATE_VERIFY_RATE_WINDOW_SECONDS)
    return response


def rate_limited(scope):
    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if rate_limit_exceeded(request=request, scope=scope):
                return too_many_requests()
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
