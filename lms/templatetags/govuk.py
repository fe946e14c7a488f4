from django import template

from lms.html_parts import escape, safe_part

register = template.Library()

WIDGET_CLASSES = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "checkbox": "govuk-checkboxes__input",
    "file": "govuk-file-upload",
}


@register.simple_tag
def govuk_widget(field):
    """Render a form field's widget with the GOV.UK class for its kind (and the error variant)."""
    kind = field.widget_type
    css = WIDGET_CLASSES.get(kind, "govuk-input")
    if field.errors and css in {"govuk-input", "govuk-select", "govuk-textarea"}:
        css += f" {css}--error"
    attrs = {"class": css}
    if field.help_text:
        attrs["aria-describedby"] = f"{field.id_for_label}-hint"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def select_options(field):
    """The ``<option>`` elements of a choice field's select (flat choices, no groups), the one the
    field holds marked selected, or the blank one when it holds nothing. Drawn in Python
    (``lms/html_parts.py``): a filter listing every team of a reporting line has a hundred
    options or more, and the template language spent a fifth of the dashboard's time on them."""
    held = field.value()
    held = "" if held is None else str(held)
    return safe_part(
        "".join(
            f'<option value="{escape(value)}"{" selected" if str(value) == held else ""}>'
            f"{escape(text)}</option>"
            for value, text in field.field.choices
        )
    )
