from django.shortcuts import redirect
from django.templatetags.static import static


def favicon(request):
    """Browsers and other clients ask for /favicon.ico whatever the page says; send them to the
    built icon (temporarily: its static name changes with its content)."""
    return redirect(static("frontend/favicon.ico"))
