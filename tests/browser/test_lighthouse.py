"""Lighthouse's best-practices and SEO audits on the pages anyone can open without signing in:
best practices 100 and SEO at least 95 (issue 21's goals). Both categories are lists of checks on
what the page serves and does (console errors, deprecated APIs, a meta description, crawlable
links, valid status codes...), not measurements of speed, so their scores do not depend on how
busy the machine is. `make lighthouse` audits a member of staff's pages too, and prints a table.

Lighthouse (npm's `lighthouse`, listed in package.json) drives headless Debian Chromium through
scripts/lighthouse.mjs, in one browser for all the pages. Without Node, the package or Chromium
this test is skipped, saying which is missing."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "scripts" / "lighthouse.mjs"
LIGHTHOUSE_PACKAGE = ROOT / "node_modules" / "lighthouse" / "package.json"
CHROMIUM = os.environ.get("CHROME_PATH", os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
PUBLIC_PAGES = ["/accounts/login/", "/certificates/verify/", "/accessibility/"]
RUN_LIMIT_SECONDS = 300


def _lighthouse_unavailable():
    if shutil.which("node") is None:
        return "Node.js is not installed: Lighthouse runs on it (`make system-deps`)."
    if not LIGHTHOUSE_PACKAGE.exists():
        return "Lighthouse is not installed in node_modules/: run `npm ci` (package.json lists it)."
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM}: run `make system-deps`."
    return None


def _report(page):
    lines = [f"{page['path']}: {page['scores']}"]
    for audit in page["failed"]:
        lines.append(f"  - {audit['category']}: {audit['id']} ({audit['title']})")
        lines += [f"      {detail}" for detail in audit["details"]]
    return "\n".join(lines)


def test_public_pages_meet_the_best_practices_and_seo_goals(live_server, served_to_anyone):
    unavailable = _lighthouse_unavailable()
    if unavailable:
        pytest.skip(unavailable)
    result = subprocess.run(  # noqa: S603
        [shutil.which("node"), str(RUNNER), live_server.url, *PUBLIC_PAGES],
        cwd=ROOT,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"Lighthouse failed:\n{result.stderr[-3000:]}"
    pages = json.loads(result.stdout)["pages"]

    # Each page was audited where it is, not after a redirect (to the sign-in page, say).
    assert [page["url"] for page in pages] == [live_server.url + path for path in PUBLIC_PAGES]
    below = [
        page
        for page in pages
        if page["scores"]["best-practices"] < 1 or page["scores"]["seo"] < 0.95
    ]
    assert not below, "Below the goals (best practices 100, SEO 95):\n" + "\n".join(
        map(_report, below)
    )
