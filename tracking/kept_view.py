"""Each manager's default dashboard view (the whole line by name, its first page, nothing asked)
kept as drawn, beside the kept headline it was drawn from (``LineHeadline.view_html``), so that
a manager who opens their dashboard again, while nothing in their line has changed, is not made
to wait for the same page to be read and drawn again.

A kept view is shown only while its digest (``view_of``) is that of:
- the kept headline as it holds now (``headlines.KeptLine.state``): its generation, which every
  refresh of a learner's facts below the manager moves on; the changes it saw to people, teams,
  names, assignments and reporting links; the day; the basis; the figures and teams themselves;
- the content as it is now (``modules.selectors.content_generation``): module titles, quizzes'
  cooldowns and refusals;
- the page size and the project's code and templates (``_drawing``): after a release every view
  is drawn again.

A view is kept against what it was drawn from, never against the row as it is when written, so
a refresh committed while it was being drawn leaves a view that is never shown. Every test ends
by drawing again every view that would be shown and comparing (tests/conftest.py);
``manage.py line_headlines --check`` does the same.

The views hold the names of the people in each line. They are dropped every night
(``line_headlines --prune``, when every headline is counted again anyway), by
``line_headlines --forget``, and whenever someone's details are removed
(``retention.person_anonymise``)."""

import functools
import hashlib
from pathlib import Path

from django.conf import settings

from modules.selectors import content_generation

from . import dashboard_page
from .headlines import headline_basis, headline_holds, kept_line_of
from .models import LineHeadline


def line_view_digest(*, kept, content):
    """The digest a view drawn from ``kept`` (with the content generation ``content``) is kept
    under; None when the headline was not kept (nothing to keep the view against)."""
    if kept.state is None:
        return None
    described = "\n".join(
        [kept.state, str(content), str(settings.LMS_DASHBOARD_PAGE_SIZE), _drawing()]
    )
    return hashlib.sha256(described.encode()).hexdigest()


def line_view_kept(*, kept, content):
    """The manager's default view as kept, if it was drawn from what holds now; else None.
    ``kept``: their ``KeptLine``, read ``with_view``."""
    digest = line_view_digest(kept=kept, content=content)
    if digest is not None and kept.view_html and kept.view_of == digest:
        return kept.view_html
    return None


def line_view_keep(*, manager, kept, content, html):
    """Keep ``html``, the default view drawn from ``kept``. Returns whether it was kept.

    Written whatever the row holds by now: its digest is that of what the view was drawn from,
    so if a refresh or a count has changed the row since, the view is never shown (and the next
    request draws and keeps another). Drawn after ``kept`` was read, the view can only be newer
    than what it is kept against, never older."""
    digest = line_view_digest(kept=kept, content=content)
    if digest is None:
        return False
    return bool(
        LineHeadline.objects.filter(manager_id=manager.pk).update(view_of=digest, view_html=html)
    )


def line_view_shown(*, manager, kept, modules, today, content):
    """The manager's default view as HTML: as kept, if it still holds; else drawn now and kept.
    ``content``: the content generation, read before ``modules`` were."""
    html = line_view_kept(kept=kept, content=content)
    if html is None:
        html = dashboard_page.dashboard_default_html(
            manager=manager, kept=kept, modules=modules, today=today
        )
        line_view_keep(manager=manager, kept=kept, content=content, html=html)
    return html


def line_views_forget():
    """Drop every kept view (their names with them)."""
    LineHeadline.objects.exclude(view_of="").update(view_of="", view_html="")


def line_views_differences(*, modules, today):
    """``{manager id: (kept html, drawn html)}`` for every kept view that would be shown today
    and is not what drawing it again gives: empty when nothing has bent them."""
    basis = headline_basis(modules=modules)
    content = content_generation()
    differences = {}
    for row in LineHeadline.objects.exclude(view_of="").select_related("manager"):
        if not headline_holds(row, today=today, basis=basis):
            continue
        kept = kept_line_of(row)
        if line_view_kept(kept=kept, content=content) is None:
            continue
        drawn = dashboard_page.dashboard_default_html(
            manager=row.manager, kept=kept, modules=modules, today=today
        )
        if drawn != row.view_html:
            differences[row.manager_id] = (row.view_html, drawn)
    return differences


# What a view is drawn by reaches into most of the project (the status words, names, dates, the
# templates): all of it is taken as the drawing code.
DRAWN_BY = ("lms", "people", "modules", "quizzes", "certificates", "tracking", "templates")


@functools.cache
def _drawing():
    """A digest of the project's code and templates, once a process: a release draws every kept
    view again, whatever it changed."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in DRAWN_BY:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
