"""House rules a reviewer would otherwise have to remember: checked over the source tree."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("lms", "people", "modules", "quizzes", "certificates", "tracking", "api")
# Setting the header by hand skips the filename quoting of lms.exports.as_download.
HEADER_SET_BY_HAND = re.compile(r"""\[\s*["']Content-Disposition["']\s*\]\s*=""")


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_every_download_names_its_file_through_the_export_helper():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if path != ROOT / "lms" / "exports.py" and HEADER_SET_BY_HAND.search(path.read_text())
    ]
    assert offenders == [], f"set Content-Disposition with lms.exports.as_download: {offenders}"


def test_the_rule_recognises_a_header_set_by_hand():
    assert HEADER_SET_BY_HAND.search("""response["Content-Disposition"] = 'attachment'""")
    assert not HEADER_SET_BY_HAND.search("""response.get("Content-Disposition", "")""")
