"""Clause references kept whole on the PDFs' lines (lms.pdf_text)."""

import pytest

from django.template import Context, Template

from lms.pdf_text import WORD_JOINER, words_unbroken


@pytest.mark.parametrize(
    ("text", "unbroken"),
    [
        ("s.3.1", "s.\u20603.\u20601"),
        ("dont.10", "dont.\u206010"),
        ("4.1(e)", "4.\u20601(e)"),
        ("A-12/3", "A-\u206012/\u20603"),
        ("7", "7"),
        ("clause 2.19, clause version 1", "clause 2.\u206019, clause version 1"),
        ("It ends here. Then - a dash.", "It ends here. Then - a dash."),
    ],
)
def test_a_word_is_joined_after_its_inner_punctuation_and_nowhere_else(text, unbroken):
    assert words_unbroken(text) == unbroken
    assert unbroken.replace(WORD_JOINER, "") == text


def test_the_filter_still_escapes():
    rendered = Template("{% load pdf_text %}{{ value|words_unbroken }}").render(
        Context({"value": "<b>s.3"})
    )
    assert rendered == "&lt;b&gt;s.\u20603"
