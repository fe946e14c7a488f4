"""Whether the shipped content is in the project's own words: runs of words that a content file
(a module's steps and quiz, the policy library's headings and summaries) shares word for word
with the text of a policy (``manage.py content_copy_check``).

Authors teach and cite the policies but never paste them: a module that copies a policy goes
stale silently when the policy changes, and the project has no right to republish it. The
policies' own text is not part of the project, so the check is run where a copy of it is at hand
(``make content-copy-check``).

Words are compared in lower case, without punctuation or HTML tags, so a copy with its
capitals or commas changed is still found. A short run is often a defined term ("directed
surveillance") or a plain phrase; ``RUN_WORDS`` words in a row is a sentence taken over."""

import html
import re
from dataclasses import dataclass

RUN_WORDS = 8

# Values that name things rather than say them: identifiers, citations, kinds.
NAMING_KEYS = frozenset(
    {"slug", "key", "type", "policy", "clause", "clauses", "branch_to", "reference", "audience"}
)

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class CopiedRun:
    where: str  # the place in the file: "steps[2].body_html"
    words: str  # the shared words, as the content has them (lower case)

    @property
    def length(self):
        return len(self.words.split())


def words_of(text):
    """The words of ``text`` (HTML or plain), lower case, without punctuation."""
    plain = html.unescape(_TAG.sub(" ", text)).translate(_QUOTES).lower()
    return _WORD.findall(plain)


def policy_runs(*, texts, length=RUN_WORDS):
    """Every run of ``length`` words in the policies' ``texts``."""
    runs = set()
    for text in texts:
        words = words_of(text)
        runs.update(tuple(words[i : i + length]) for i in range(len(words) - length + 1))
    return runs


def content_strings(value, where=""):
    """``(place, text)`` for every piece of prose in a content file's data, however deep; the
    values that name things (``NAMING_KEYS``) are left out."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NAMING_KEYS:
                yield from content_strings(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from content_strings(item, f"{where}[{index}]")


def copied_runs(*, data, runs, length=RUN_WORDS):
    """The stretches of ``data``'s prose that share ``length`` or more words in a row with the
    policies (``runs``, from ``policy_runs`` with the same length): overlapping windows are
    joined into one stretch, reported once, with its place."""
    found = []
    for where, text in content_strings(data):
        words = words_of(text)
        start = end = None
        for i in range(len(words) - length + 1):
            if tuple(words[i : i + length]) not in runs:
                continue
            if end is not None and i <= end:
                end = i + length
                continue
            if start is not None:
                found.append(CopiedRun(where, " ".join(words[start:end])))
            start, end = i, i + length
        if start is not None:
            found.append(CopiedRun(where, " ".join(words[start:end])))
    return found
