"""Page parts drawn in Python rather than with the template language, where a page repeats one
small piece hundreds of times (the questions of a quiz, the rows of a reporting line): the
template language spends about ten times as long on each.

Every value that does not come from our own code goes through ``escape`` as it is put in, and
only the finished part is marked safe (``safe_part``). ``escape`` is the standard library's, which
escapes what Django's does (``& < > " '``) without Django's check for lazy text on every call."""

import html

from django.utils.safestring import mark_safe


def escape(value):
    return html.escape(str(value))


def safe_part(text):
    """``text``, drawn with every outside value escaped, as safe HTML for a template."""
    return mark_safe(text)  # noqa: S308 (the callers escape every value they put in)
