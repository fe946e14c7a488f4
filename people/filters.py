"""Filters the Wagtail admin reports share."""

import django_filters

from wagtail.admin.filters import WagtailFilterSet

from .choosers import team_chooser_viewset
from .models import Team
from .selectors import team_and_sub_team_ids


class TeamFilters(WagtailFilterSet):
    """A report narrowed to one team and its sub-teams. The choice names whose figures count;
    the report works its rows out from it rather than filtering rows it already has. The team is
    picked with the team chooser (searched, a page at a time), not from a list of every team."""

    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(),
        label="Team (with its sub-teams)",
        method="choose",
        widget=team_chooser_viewset.widget_class(),
    )

    class Meta:
        model = Team
        fields = []

    def choose(self, queryset, name, value):
        return queryset


def chosen_team_people(*, filters, people):
    """``people`` narrowed to the chosen team and its sub-teams, or None when no team (or no
    valid choice) was made."""
    if filters is None or not filters.is_valid():
        return None
    team = filters.form.cleaned_data.get("team")
    if team is None:
        return None
    return people.filter(team_id__in=team_and_sub_team_ids(team_id=team.pk))
