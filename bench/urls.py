"""The product's URLs plus two yardsticks: a bare view (what Django itself costs per request) and
a bare page (what every signed-in page costs before it does anything of its own)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def bare_page(request):
    """The session and the signed-in user loaded (with every middleware), ``base.html`` rendered
    with every context processor, and no queries of its own: a page can only be as fast as this."""
    return render(request, "base.html")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/bare-page/", bare_page, name="bench_bare_page"),
    path("", include("lms.urls")),
]
