"""``{% select_options field %}``: the options of the filter selects (the dashboard's, the
auditor's certificate list's, the audit trail's), drawn in Python."""

from django import forms
from django.template import Context, Template


class _Filter(forms.Form):
    team = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "All teams"), (7, "Fostering"), (12, 'Court "A" & <Family>')],
    )


def _options(form):
    return Template("{% load govuk %}{% select_options field %}").render(
        Context({"field": form["team"]})
    )


def test_nothing_chosen_selects_the_blank_option_only():
    html = _options(_Filter())
    assert html == (
        '<option value="" selected>All teams</option>'
        '<option value="7">Fostering</option>'
        '<option value="12">Court &quot;A&quot; &amp; &lt;Family&gt;</option>'
    )


def test_the_value_asked_for_is_selected_whatever_its_type():
    html = _options(_Filter({"team": "12"}))
    assert '<option value="12" selected>' in html
    assert html.count(" selected") == 1


def test_a_value_that_is_not_a_choice_selects_nothing():
    form = _Filter({"team": "99"})
    assert not form.is_valid()
    html = _options(form)
    assert " selected" not in html


def test_a_value_cannot_break_out_of_the_markup():
    form = _Filter({"team": '"><script>alert(1)</script>'})
    html = _options(form)
    assert "<script>" not in html and " selected" not in html
