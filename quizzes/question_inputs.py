"""The questions of a quiz page as HTML: each a GOV.UK fieldset holding its kind's inputs, for
the learner's attempt and the author's preview.

Drawn in Python rather than with the template language: a page of twelve questions has a few
hundred inputs, labels and states. The template language spent about 1.2 ms on them, a sixth of
the whole quiz page (issue 18's quiz page figure); ``format_html`` 0.75 ms; escaping each value
into an f-string 0.12 ms. So every value that comes from a question, an option, an answer or an
error goes through ``escape`` as it is put in (``tests/quizzes/test_question_inputs.py`` holds
each kind to that), and only the finished page part is marked safe (``lms/html_parts.py``).

A question here is what ``quizzes.views.question_for_form`` builds: its field name, number,
text, kind, error and options with their input ids and states, never the key."""

from lms.html_parts import escape, safe_part


def question_fieldsets_html(questions):
    """Every question's form group, in order."""
    count = len(questions)
    html = "".join(_fieldset(question, count) for question in questions)
    return safe_part(html)


def _fieldset(question, count):
    field, error = escape(question["field"]), question["error"]
    group_class = "govuk-form-group govuk-form-group--error" if error else "govuk-form-group"
    described = f' aria-describedby="{field}-error"' if error else ""
    hint = question["kind"].hint
    return (
        f'<div class="{group_class}">'
        f'<fieldset class="govuk-fieldset"{described}>'
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--m">'
        f'<span class="govuk-caption-m">Question {int(question["number"])} of {count}</span> '
        f"{escape(question['text'])}</legend>"
        + (f'<div class="govuk-hint">{escape(hint)}</div>' if hint else "")
        + (
            f'<p class="govuk-error-message" id="{field}-error">'
            f'<span class="govuk-visually-hidden">Error:</span> {escape(error)}</p>'
            if error
            else ""
        )
        + question["kind"].inputs_html(question)
        + "</fieldset></div>"
    )


def _checked(state):
    return " checked" if state else ""


def radios_html(question):
    """One radio per option: a single answer."""
    return _choices(question, kind="radios", input_type="radio")


def checkboxes_html(question):
    """One checkbox per option: any number of answers."""
    return _choices(question, kind="checkboxes", input_type="checkbox")


def _choices(question, *, kind, input_type):
    field = escape(question["field"])
    items = "".join(
        _item(
            kind=kind,
            input_type=input_type,
            field=field,
            input_id=option["input_id"],
            value=option["id"],
            checked=option["checked"],
            label=option["text"],
        )
        for option in question["options"]
    )
    return f'<div class="govuk-{kind}" data-module="govuk-{kind}">{items}</div>'


def _item(*, kind, input_type, field, input_id, value, checked, label):
    """One radio or checkbox with its label; ``field`` comes escaped, the rest is escaped here."""
    input_id = escape(input_id)
    return (
        f'<div class="govuk-{kind}__item">'
        f'<input class="govuk-{kind}__input" id="{input_id}" name="{field}"'
        f' type="{input_type}" value="{escape(value)}"{_checked(checked)}>'
        f'<label class="govuk-label govuk-{kind}__label" for="{input_id}">'
        f"{escape(label)}</label></div>"
    )


def position_selects_html(question):
    """A drop-down of positions per option: the learner puts the options in order."""
    groups = []
    for option in question["options"]:
        chosen = option["value"]
        positions = "".join(
            f'<option value="{escape(position)}"{" selected" if chosen == position else ""}>'
            f"{escape(position)}</option>"
            for position in question["positions"]
        )
        input_id = escape(option["input_id"])
        groups.append(
            '<div class="govuk-form-group">'
            f'<label class="govuk-label" for="{input_id}">{escape(option["text"])}</label>'
            f'<select class="govuk-select" id="{input_id}" name="{escape(option["field"])}">'
            f'<option value=""{"" if chosen else " selected"}>Choose a position</option>'
            f"{positions}</select></div>"
        )
    return "".join(groups)


def judgement_radios_html(question):
    """Each option (an action) in its own small fieldset, with one radio per judgement."""
    groups = []
    for option in question["options"]:
        field = escape(option["field"])
        radios = "".join(
            _item(
                kind="radios",
                input_type="radio",
                field=field,
                input_id=judgement["id"],
                value=judgement["value"],
                checked=judgement["checked"],
                label=judgement["label"],
            )
            for judgement in option["judgements"]
        )
        groups.append(
            '<fieldset class="govuk-fieldset govuk-!-margin-bottom-4">'
            '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">'
            f"{escape(option['text'])}</legend>"
            '<div class="govuk-radios govuk-radios--small govuk-radios--inline"'
            f' data-module="govuk-radios">{radios}</div></fieldset>'
        )
    return "".join(groups)
