from django import forms

from . import status as statuses


class DashboardFilterForm(forms.Form):
    """Filters and sort for the manager's dashboard, all in the query string so that a filtered
    view can be bookmarked and exported."""

    status = forms.ChoiceField(required=False, label="Status")
    module = forms.TypedChoiceField(required=False, label="Module", coerce=int, empty_value=None)
    team = forms.TypedChoiceField(
        required=False, label="Team (with its sub-teams)", coerce=int, empty_value=None
    )
    sort = forms.CharField(required=False, max_length=40)
    order = forms.ChoiceField(
        required=False, choices=[("asc", "Ascending"), ("desc", "Descending")]
    )

    def __init__(self, *args, modules, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *statuses.STATUS_NAMES.items()]
        self.fields["module"].choices = [("", "All modules"), *((m.pk, m.title) for m in modules)]
        self.fields["team"].choices = [("", "All teams"), *((t.pk, t.name) for t in teams)]
