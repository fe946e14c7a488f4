"""Page URLs under /learn/: Wagtail's serving, with the routes of module pages cached
(modules.views.page_serve). Wagtail's own patterns follow in the root URLconf."""

from django.urls import re_path

from . import views

urlpatterns = [
    # Wagtail's serve pattern (wagtail.urls), so that exactly the URLs it would serve come here.
    re_path(r"^((?:[\w\-]+/)*)$", views.page_serve, name="page_serve"),
]
