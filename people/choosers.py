"""Choosers for a team and a person in the Wagtail admin: a searchable, paged list in a modal,
instead of a drop-down holding every team or every member of staff.

An organisation the NHS's size has some 100,000 teams and over a million people: a drop-down of
them all would put megabytes into every form and report that offers one. Registering these
choosers makes every admin model form with a foreign key to a team or a person use them (the
assignment form), and the reports' team filter uses the team chooser's widget (``filters``).

Who may use them: superusers; for the team chooser, holders of the compliance-reports permission
(their filters choose a team); and whoever a layer above lets in through the hooks
``team_chooser_allowed`` and ``person_chooser_allowed`` (``fn(user) -> bool``): tracking lets in
those who may add or change assignments. The person chooser lists current staff only: not who
has left, and not whose personal details were removed."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Lower

from wagtail import hooks
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets.chooser import BaseChooser

from .admin_views import REPORTS_PERMISSION
from .models import Person, Team
from .selectors import objects_matching_words

TEAM_CHOOSER_HOOK = "team_chooser_allowed"
PERSON_CHOOSER_HOOK = "person_chooser_allowed"
SEARCH_MAX_LENGTH = 150


def chooser_allowed(*, user, hook_name, permission=None):
    """Whether ``user`` may list what a chooser offers: see the module docstring."""
    if user.is_superuser or (permission and user.has_perm(permission)):
        return True
    return any(allowed(user) for allowed in hooks.get_hooks(hook_name))


class NameSearchForm(BaseFilterForm):
    """The chooser's search box. Teams and people are not in Wagtail's search index: the words
    are matched in the database, each against any of ``search_fields``."""

    search_fields = ()
    q = forms.CharField(
        label="Search by name",
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Search"}),
    )

    def filter(self, objects):
        query = self.cleaned_data.get("q", "").strip()
        if not query:
            return objects
        self.is_searching = True
        self.search_query = query
        return objects_matching_words(objects, fields=self.search_fields, text=query)


class TeamSearchForm(NameSearchForm):
    search_fields = ("name",)


class PersonSearchForm(NameSearchForm):
    search_fields = ("user__first_name", "user__last_name", "user__username", "employee_number")


class GateMixin:
    """Refuses the view to anyone ``chooser_allowed`` does not let in."""

    allowed_hook = None
    allowed_permission = None

    def dispatch(self, request, *args, **kwargs):
        allowed = chooser_allowed(
            user=request.user, hook_name=self.allowed_hook, permission=self.allowed_permission
        )
        if not allowed:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class TeamGateMixin(GateMixin):
    allowed_hook = TEAM_CHOOSER_HOOK
    allowed_permission = REPORTS_PERMISSION


class TeamListMixin(TeamGateMixin):
    filter_form_class = TeamSearchForm
    ordering = ["name", "pk"]

    def get_object_list(self):
        return Team.objects.select_related("parent")

    @property
    def columns(self):
        title = self.title_column
        title.label = "Team"
        return [
            title,
            Column(
                "parent",
                label="Part of",
                accessor=lambda team: team.parent.name if team.parent else "(top level)",
            ),
        ]


class PersonListMixin(GateMixin):
    allowed_hook = PERSON_CHOOSER_HOOK
    filter_form_class = PersonSearchForm
    ordering = ["user__last_name", "user__first_name", "pk"]

    def get_object_list(self):
        return Person.objects.filter(
            left_on__isnull=True, anonymised_on__isnull=True
        ).select_related("user", "team")

    def filter_object_list(self, objects):
        objects = super().filter_object_list(objects)
        if self.filter_form.is_searching:
            # The same order, by an expression the accounts' name index (people migration 0004)
            # cannot give: walking that index for a search reads everyone whose name sorts
            # before the first match (42,589 of 50,050 for "smith"), where sorting the matches
            # reads only them.
            objects = objects.order_by(Lower("user__last_name"), Lower("user__first_name"), "pk")
        return objects

    @property
    def columns(self):
        title = self.title_column
        title.label = "Name"
        return [
            title,
            Column("job_title", label="Job title"),
            Column("team", label="Team", accessor=lambda person: person.team or ""),
            Column("employee_number", label="Employee number"),
        ]


class ChooserWithoutEditLink(BaseChooser):
    # Teams and people are edited by the HR import, not in the admin: there is nothing to link to.
    show_edit_link = False


class TeamChooseView(TeamListMixin, chooser_views.ChooseView):
    pass


class TeamChooseResultsView(TeamListMixin, chooser_views.ChooseResultsView):
    pass


class TeamChosenView(TeamGateMixin, chooser_views.ChosenView):
    pass


class PersonChooseView(PersonListMixin, chooser_views.ChooseView):
    pass


class PersonChooseResultsView(PersonListMixin, chooser_views.ChooseResultsView):
    pass


class PersonChosenView(GateMixin, chooser_views.ChosenView):
    allowed_hook = PERSON_CHOOSER_HOOK

    def get_object(self, pk):
        # Only someone the list offers can be chosen, whatever id the address carries.
        return Person.objects.get(pk=pk, left_on__isnull=True, anonymised_on__isnull=True)


class TeamChooserViewSet(ChooserViewSet):
    model = Team
    icon = "group"
    choose_one_text = "Choose a team"
    choose_another_text = "Choose another team"
    per_page = 20
    base_widget_class = ChooserWithoutEditLink
    choose_view_class = TeamChooseView
    choose_results_view_class = TeamChooseResultsView
    chosen_view_class = TeamChosenView


class PersonChooserViewSet(ChooserViewSet):
    model = Person
    icon = "user"
    choose_one_text = "Choose a person"
    choose_another_text = "Choose another person"
    per_page = 20
    base_widget_class = ChooserWithoutEditLink
    choose_view_class = PersonChooseView
    choose_results_view_class = PersonChooseResultsView
    chosen_view_class = PersonChosenView


team_chooser_viewset = TeamChooserViewSet("team_chooser", url_prefix="people/choose-team")
person_chooser_viewset = PersonChooserViewSet("person_chooser", url_prefix="people/choose-person")
