"""The product's URLs plus a bare view: the yardstick for what Django itself costs per request."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("lms.urls")),
]
