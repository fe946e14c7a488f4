"""The text formats Moodle marks text with ([html], [markdown], [plain], [moodle] in GIFT; the
``format`` attribute in Moodle XML), turned into the plain text our questions hold."""

import html
import re

from django.utils.html import strip_tags

PARAGRAPH_BREAK = re.compile(r"</p\s*>\s*<p[^>]*>", re.IGNORECASE)
LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(markup):
    """Moodle's HTML as plain text: paragraphs and line breaks kept as new lines, tags dropped,
    entities decoded."""
    text = PARAGRAPH_BREAK.sub("\n\n", markup)
    text = LINE_BREAK.sub("\n", text)
    text = html.unescape(strip_tags(text))
    lines = [line.strip() for line in text.splitlines()]
    return BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def as_plain_text(text, text_format):
    """``text`` in Moodle's ``text_format`` as our plain text. Markdown and Moodle's auto-format
    are already readable as plain text, so they are kept as written."""
    if text_format == "html":
        return html_to_text(text)
    return text.strip()
