"""Text for the service's PDFs (certificates, evidence records) as their line breaker will treat
it. A line may end after the punctuation inside a clause reference: "s." at the end of one line
and "3.1" at the start of the next read as two references. A word joiner (U+2060) after that
punctuation forbids the break; it has no glyph, so the text reads and copies as written. Only
the PDFs get it: the same text on a web page, in a CSV file or an API reply stays as it is."""

import re

WORD_JOINER = "\u2060"

_BREAKABLE_INSIDE_A_WORD = re.compile(r"(?<=[./\-–])(?=\S)")


def words_unbroken(text):
    """``text`` with a word joiner after each full stop, slash or dash followed by more of the
    same word."""
    return _BREAKABLE_INSIDE_A_WORD.sub(WORD_JOINER, str(text))
