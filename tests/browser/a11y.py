"""Accessibility checks run on every page a journey reaches: the Nu HTML Checker on the HTML the page
was served with (assistive technology relies on valid markup), axe-core with the WCAG 2.0, 2.1 and
2.2 A and AA rules, plus the page-title rules axe cannot know (clear, distinct, named for the
service)."""

import re
from contextlib import contextmanager
from urllib.parse import urldefrag, urlsplit

import pytest

from .html_validity import errors_report

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TITLE_SUFFIX = re.compile(r"^(?P<name>.+\S) – .+ learning$")
# Pages that are not ours to fix; the Wagtail admin has its own accessibility programme.
THIRD_PARTY_PATHS = ("/admin/",)
# Every missing (or refused) page is the same page.
SHARED_TITLES = {"Page not found"}


# Wagtail's own admin findings that nothing of ours can fix soundly, each as (axe rule, the CSS
# selector axe names, why): a violation is only excused when both match exactly. Empty: every
# finding in the admin pages our authors and auditors use is fixed (lms/static/lms/admin.*).
ADMIN_EXCUSED = ()


def axe_violations(page, *, within=None):
    """``page`` may be a Playwright Page or Frame: axe runs in that document, or only inside the
    element ``within`` (a CSS selector) names."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    context = {"include": [[within]]} if within else None
    return Axe().run(page, context=context, options=options).response["violations"]


def without_excused(violations, excused):
    """``violations`` less the nodes ``excused`` names (rule and selector both), and less any rule
    left with no node."""
    kept = []
    for violation in violations:
        nodes = [
            node
            for node in violation["nodes"]
            if not any(
                rule == violation["id"] and selector == ", ".join(map(str, node["target"]))
                for rule, selector, _why in excused
            )
        ]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


def violations_report(url, violations):
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
            # What the check found in the way (for target-size, what covers or crowds the target).
            related = {
                ", ".join(map(str, related["target"]))
                for check in (*node.get("any", ()), *node.get("all", ()), *node.get("none", ()))
                for related in check.get("relatedNodes", ())
            }
            for target in sorted(related):
                lines.append(f"      related: {target}")
    return "\n".join(lines)


# Resolves when every CSS transition running now (a picker fading out) has ended or been
# cancelled, and every animation due to end within a second; any that start later are not waited
# for. Longer animations are decoration, such as the help menu's badge pulsing for 25 s: waiting
# for it would add that to every check.
CSS_TRANSITIONS_ENDED_JS = """() => Promise.all(
    document.getAnimations()
        .filter((animation) => {
            const timing = animation.effect.getComputedTiming();
            return animation.playState === "running" && (
                animation instanceof CSSTransition || timing.endTime - timing.localTime <= 1000
            );
        })
        .map((animation) => animation.finished.catch(() => null))
)"""
# Whether the element and every element around it are drawn fully opaque: a modal that has only
# just opened may not have started its fade-in when the running transitions are looked for, and
# axe, run during the fade, measures its text against a colour half-way to the page beneath.
FULLY_OPAQUE_JS = """(selector) => {
    for (let element = document.querySelector(selector); element; element = element.parentElement) {
        if (getComputedStyle(element).opacity !== "1") {
            return false;
        }
    }
    return true;
}"""
# Wagtail slides a new StreamField block and its "+" button open with jQuery, which the browser
# does not count among its animations.
JQUERY_ANIMATIONS_ENDED_JS = "() => !window.jQuery || window.jQuery(':animated').length === 0"


def _movement_ended(page):
    """Wait for what is still moving to come to rest before the page is measured and checked: a
    block still sliding open makes the document taller after its height is read, and a picker
    still fading out is drawn over the buttons below it. Either way axe, run then, would count
    a button half under something against its size (target-size). A picker still fading in
    would be checked at part of its contrast."""
    page.wait_for_function(JQUERY_ANIMATIONS_ENDED_JS)
    page.evaluate(CSS_TRANSITIONS_ENDED_JS)


SCROLL_EVERYTHING_TO_START_JS = """() => {
    for (const element of [document.scrollingElement, ...document.querySelectorAll("body *")]) {
        if (element.scrollTop || element.scrollLeft) {
            element.scrollTo({top: 0, left: 0, behavior: "instant"});
        }
    }
}"""
# How much taller the window must be for the document, and Wagtail's scrolling main column, to
# show everything they hold.
HEIGHT_SCROLLED_OUT_OF_VIEW_JS = """() => Math.max(
    0,
    ...[document.documentElement, ...document.querySelectorAll("main")]
        .map((element) => element.scrollHeight - element.clientHeight)
)"""


class AccessibilityAudit:
    """Follows one browser page: every document it loads must be checked before the test ends."""

    def __init__(self, page, html_checker):
        self.page = page
        self.html_checker = html_checker
        self.loaded = []
        self.checked_count = 0
        self.titles = {}
        self._document = None  # the response that brought the page's current document
        page.on("load", self._loaded)
        page.on("response", self._response)

    def _loaded(self, page):
        self.loaded.append(page.url)

    def _response(self, response):
        if response.request.is_navigation_request() and response.frame == self.page.main_frame:
            self._document = response

    def _served_html(self):
        document = self._document
        if document is None or document.url != urldefrag(self.page.url).url:
            return None
        if not document.headers.get("content-type", "").startswith("text/html"):
            return None
        return document.text()

    def check(self):
        """Run axe and the title rules on the page as it is now; fail listing every violation."""
        page = self.page
        page.wait_for_load_state("load")
        url = page.url
        skipped = self._unchecked()[:-1]
        if skipped:
            pytest.fail(
                f"the journey left {skipped[0]} without an accessibility check", pytrace=False
            )
        self.checked_count = len(self.loaded)
        if urlsplit(url).path.startswith(THIRD_PARTY_PATHS):
            return
        self._check_html(url)
        violations = axe_violations(page)
        if violations:
            pytest.fail(violations_report(url, violations), pytrace=False)
        self._check_title(url, page.title())

    def _check_html(self, url):
        html = self._served_html()
        if html is None:
            pytest.fail(f"{url}: the HTML it was served with is not known", pytrace=False)
        errors = self.html_checker.errors(html)
        if errors:
            pytest.fail(errors_report(url, errors), pytrace=False)

    def check_frame(self, frame):
        """Run axe inside an embedded page of ours, such as the module preview in the admin."""
        violations = axe_violations(frame)
        if violations:
            pytest.fail(violations_report(frame.url, violations), pytrace=False)
        self._check_title(frame.url, frame.title())

    def check_admin(self, *, within=None):
        """Run axe in a page of the Wagtail admin as it is now (or only inside ``within``, a CSS
        selector, for a part that has just opened). No HTML validation or title rules: the
        admin's markup and titles are Wagtail's. Wagtail's scripts build much of the page after
        it loads: wait for what is being checked (``within``, or an editor) before calling."""
        page = self.page
        page.wait_for_load_state("load")
        # Wagtail's page-wide start-up (its status messages are shown then) is done, and its
        # sidebar, which React renders after the page has loaded, is there.
        page.locator("body.ready").wait_for(state="attached")
        page.get_by_role("navigation", name="Main menu").wait_for()
        if not urlsplit(page.url).path.startswith(THIRD_PARTY_PATHS):
            pytest.fail(f"{page.url} is not a page of the Wagtail admin", pytrace=False)
        _movement_ended(page)
        if within:
            page.wait_for_function(FULLY_OPAQUE_JS, arg=within)
            violations = axe_violations(page, within=within)
        else:
            with self._whole_document_in_view():
                violations = axe_violations(page)
        violations = without_excused(violations, ADMIN_EXCUSED)
        if violations:
            pytest.fail(violations_report(page.url, violations), pytrace=False)

    @contextmanager
    def _whole_document_in_view(self):
        """Show the whole document at once, scrolled to its start, while axe runs. Wagtail's
        editors have a sticky header and a sticky footer: in a window smaller than the form, a
        button partly under one of them is counted against its size (axe's target-size), and
        which button that is depends on where the journey's last scroll landed and on how tall
        this browser build draws each field. With the window as tall as what scrolls, nothing
        sits under them.

        What scrolls is not always the window: Wagtail's editor scrolls its ``main`` element,
        which Playwright's clicks can also leave scrolled sideways (its folded minimap sticks
        out to the right, clipped), shifting the form under the minimap's own buttons."""
        page = self.page
        size = page.viewport_size
        page.evaluate(SCROLL_EVERYTHING_TO_START_JS)
        height = size["height"]
        # Growing the window can change what it holds: parts sized to the window grow with it.
        # What is still hidden after a growth, and does not shrink with the next, is such a part
        # (the minimap's column is as tall as the window, below the header), not content.
        hidden_before = None
        for _ in range(3):
            hidden = page.evaluate(HEIGHT_SCROLLED_OUT_OF_VIEW_JS)
            if hidden <= 0 or hidden == hidden_before:
                break
            hidden_before = hidden
            height += hidden
            page.set_viewport_size({"width": size["width"], "height": height})
        try:
            yield
        finally:
            if height != size["height"]:
                page.set_viewport_size(size)

    def _check_title(self, url, title):
        match = TITLE_SUFFIX.match(title)
        assert match, (
            f"{url}: the title {title!r} does not say what the page is and which service it belongs to"
        )
        # Two kinds of page (paths with their ids ignored) must not share a title.
        kind = re.sub(r"\d+", "N", urlsplit(url).path)
        name = match["name"].removeprefix("Error: ")
        if name in SHARED_TITLES:
            return
        for other_kind, other_name in self.titles.items():
            if other_kind != kind and other_name == name:
                pytest.fail(
                    f"{url} and a page at {other_kind} share the title {title!r}", pytrace=False
                )
        self.titles[kind] = name

    def _unchecked(self):
        return [
            url
            for url in self.loaded[self.checked_count :]
            if not urlsplit(url).path.startswith(THIRD_PARTY_PATHS)
        ]

    def assert_every_page_checked(self):
        unchecked = self._unchecked()
        if unchecked:
            pytest.fail(
                f"the journey reached {unchecked[-1]} without an accessibility check", pytrace=False
            )
