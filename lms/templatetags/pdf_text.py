from django import template

from lms.pdf_text import words_unbroken

register = template.Library()

# Autoescaping still applies: the joiner is plain text, and the value is escaped as before.
register.filter("words_unbroken", words_unbroken)
