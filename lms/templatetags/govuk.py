from django import template

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
