"""The manager's dashboard: the whole reporting line and nothing else, filters, sort, exports."""

import csv
import io
import pickle
import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse

from people.services import team_get_or_create
from tests.factories import attempt_make, certificate_make, days, module_page_create
from tracking.models import Assignment
from tracking.selectors import TRACKED_MODULES_KEY
from tracking.services import assignment_create

pytestmark = pytest.mark.django_db


class TableText(HTMLParser):
    """The text of each row of the table with id reporting-line, cell by cell."""

    def __init__(self):
        super().__init__()
        self.rows, self.in_table, self.cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "reporting-line") in attrs:
            self.in_table = True
        elif self.in_table and tag == "tr":
            self.rows.append([])
        elif self.in_table and tag in ("th", "td"):
            self.cell = []
        elif (
            tag == "span" and ("class", "govuk-visually-hidden") in attrs and self.cell is not None
        ):
            self.cell.append("\0")

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False
        elif self.in_table and tag in ("th", "td") and self.cell is not None:
            text = "".join(self.cell).split("\0")[0]
            self.rows[-1].append(" ".join(text.split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_of(response):
    parser = TableText()
    parser.feed(response.content.decode())
    return parser.rows


def csv_text(response):
    """A CSV download's text: the dashboard's streams."""
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content).decode()


def names_on(response):
    return [row[0] for row in table_of(response)[1:]]


def test_the_manager_sees_their_whole_reporting_line_to_any_depth_and_nobody_else(
    people, client_for, module
):
    response = client_for(people["manager"]).get(reverse("team_dashboard"))
    assert response.status_code == 200
    assert sorted(names_on(response)) == ["Lee Lead", "Rita Report", "Sam Staff"]


def test_people_who_have_left_drop_out_of_the_line_but_their_reports_stay(
    people, client_for, module
):
    people["lead"].left_on = days(-1)
    people["lead"].save()
    # Lee has left; Rita, who reported to Lee, is still in Maria's line until HR re-assigns her.
    assert names_on(client_for(people["manager"]).get(reverse("team_dashboard"))) == [
        "Rita Report",
        "Sam Staff",
    ]
    response = client_for(people["manager"]).get(reverse("team_member", args=[people["lead"].pk]))
    assert response.status_code == 404
    assert (
        client_for(people["manager"])
        .get(reverse("team_member", args=[people["deep"].pk]))
        .status_code
        == 200
    )


def test_a_middle_manager_sees_only_their_own_part(people, client_for, module):
    assert names_on(client_for(people["lead"]).get(reverse("team_dashboard"))) == ["Rita Report"]


def test_staff_without_the_manager_role_get_404(people, client_for):
    assert client_for(people["staff"]).get(reverse("team_dashboard")).status_code == 404


def test_a_loop_is_refused_so_the_dashboard_never_shows_one(people, client_for, module):
    # rita -> lee -> maria -> rita: refused by the database (people migration 0003).
    people["manager"].line_manager = people["deep"]
    with pytest.raises(IntegrityError, match="reporting line loop"), transaction.atomic():
        people["manager"].save()
    assert sorted(names_on(client_for(people["lead"]).get(reverse("team_dashboard")))) == [
        "Rita Report"
    ]


@pytest.mark.parametrize("target", ["staff", "deep"])
def test_person_page_inside_the_line(people, client_for, module, quiz, target):
    attempt_make(
        person=people[target], quiz=quiz, passed=False, percent=40, answers={"q-1": "secret-answer"}
    )
    attempt_make(
        person=people[target], quiz=quiz, passed=False, percent=55, answers={"q-1": "other-secret"}
    )
    response = client_for(people["manager"]).get(reverse("team_member", args=[people[target].pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert module.title in page and "Failed, can retry now" in page
    assert re.search(r"numeric\">\s*2\s*<", page)  # attempts
    assert "55%" in page  # best score
    assert "secret" not in page


@pytest.mark.parametrize("target", ["manager", "other_staff", "other_manager", "author", "auditor"])
def test_person_page_outside_the_line_is_404(people, client_for, module, target):
    response = client_for(people["manager"]).get(reverse("team_member", args=[people[target].pk]))
    assert response.status_code == 404
    assert (
        client_for(people["manager"]).get(reverse("team_member", args=[999999])).status_code == 404
    )


@pytest.fixture
def tracked(people, module, quiz):
    """Sam passed, Lee is overdue, Rita's certificate expires in 20 days."""
    assignment_create(module=module, due_on=days(-5))
    certificate_make(person=people["staff"], module=module, expires_on=days(300))
    certificate_make(person=people["deep"], module=module, expires_on=days(20))
    return people


def test_headline_figures(tracked, client_for):
    response = client_for(tracked["manager"]).get(reverse("team_dashboard"))
    headline = response.context["dashboard"].headline
    assert (
        headline.people,
        headline.percent_compliant,
        headline.overdue,
        headline.expiring_soon,
    ) == (3, 67, 1, 1)
    assert "67% of people" in response.content.decode()


def test_filter_by_status(tracked, client_for):
    response = client_for(tracked["manager"]).get(reverse("team_dashboard"), {"status": "overdue"})
    assert names_on(response) == ["Lee Lead"]
    assert response.context["dashboard"].headline.people == 1


def test_filter_by_team_includes_sub_teams(tracked, client_for):
    adoption = team_get_or_create(name="Adoption")
    permanence = team_get_or_create(name="Permanence", parent=adoption)
    tracked["lead"].team, tracked["deep"].team = adoption, permanence
    tracked["lead"].save()
    tracked["deep"].save()
    response = client_for(tracked["manager"]).get(reverse("team_dashboard"), {"team": adoption.pk})
    assert names_on(response) == ["Lee Lead", "Rita Report"]


def test_filter_by_module_shows_only_that_column(tracked, client_for, clause, module):
    other = module_page_create(clause=clause, title="Facebook groups", slug="facebook")
    response = client_for(tracked["manager"]).get(reverse("team_dashboard"))
    assert table_of(response)[0] == ["Name", "Team", module.title, "Facebook groups"]
    response = client_for(tracked["manager"]).get(reverse("team_dashboard"), {"module": other.pk})
    assert table_of(response)[0] == ["Name", "Team", "Facebook groups"]


def test_the_modules_come_from_the_shared_cache_until_the_admin_changes_one(
    tracked, client_for, clause, module, django_user_model
):
    """The second view reads no module page; a module unpublished in the admin leaves the table
    at once (the admin's hooks make the cached content stale)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    other = module_page_create(clause=clause, title="Facebook groups", slug="facebook")
    manager = client_for(tracked["manager"])
    manager.get(reverse("team_dashboard"))
    with CaptureQueriesContext(connection) as queries:
        response = manager.get(reverse("team_dashboard"))
    assert table_of(response)[0] == ["Name", "Team", module.title, "Facebook groups"]
    assert not [query for query in queries if '"modules_modulepage"' in query["sql"]]
    # The cached modules carry no step: a decision's steps say which choice is the right one.
    entry = cache.get(TRACKED_MODULES_KEY)
    assert [page.pk for page in entry["value"]] == [module.pk, other.pk]
    assert all("steps" in page.get_deferred_fields() for page in entry["value"])
    stored = pickle.dumps(entry)
    assert b"Meet Jade" not in stored and b"is_correct" not in stored

    root = Client()
    root.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    response = root.post(reverse("wagtailadmin_pages:unpublish", args=[other.pk]))
    assert response.status_code == 302
    other.refresh_from_db()
    assert not other.live
    response = manager.get(reverse("team_dashboard"))
    assert table_of(response)[0] == ["Name", "Team", module.title]


def test_a_bad_filter_value_is_explained_and_ignored(tracked, client_for):
    response = client_for(tracked["manager"]).get(reverse("team_dashboard"), {"status": "nonsense"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert len(names_on(response)) == 3


def test_sort_by_a_module_puts_the_most_urgent_first_and_can_be_reversed(
    tracked, client_for, module
):
    url = reverse("team_dashboard")
    client = client_for(tracked["manager"])
    assert names_on(client.get(url)) == ["Lee Lead", "Rita Report", "Sam Staff"]  # by surname
    by_module = client.get(url, {"sort": f"module-{module.pk}"})
    assert names_on(by_module) == [
        "Lee Lead",
        "Rita Report",
        "Sam Staff",
    ]  # overdue, expiring, passed
    assert names_on(client.get(url, {"sort": f"module-{module.pk}", "order": "desc"})) == [
        "Sam Staff",
        "Rita Report",
        "Lee Lead",
    ]
    assert names_on(client.get(url, {"sort": "name", "order": "desc"})) == [
        "Sam Staff",
        "Rita Report",
        "Lee Lead",
    ]
    page = by_module.content.decode()
    assert 'aria-sort="ascending"' in page and page.count('aria-sort="none"') == 2


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "overdue"},
        {"sort": "team", "order": "desc"},
        {"status": "expiring_soon", "sort": "name"},
    ],
)
def test_csv_and_xlsx_exports_are_exactly_the_table_on_the_screen(tracked, client_for, params):
    client = client_for(tracked["manager"])
    screen = table_of(client.get(reverse("team_dashboard"), params))
    assert len(screen) > 1
    exported_csv = client.get(reverse("team_dashboard"), {**params, "export": "csv"})
    assert list(csv.reader(io.StringIO(csv_text(exported_csv)))) == screen
    exported_xlsx = client.get(reverse("team_dashboard"), {**params, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(exported_xlsx.content)).active
    assert [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)] == screen


@override_settings(LMS_DASHBOARD_PAGE_SIZE=2)
def test_pages_of_a_long_line_and_the_export_has_every_page(tracked, client_for):
    client = client_for(tracked["manager"])
    first, second = (
        client.get(reverse("team_dashboard")),
        client.get(reverse("team_dashboard"), {"page": 2}),
    )
    assert names_on(first) + names_on(second) == ["Lee Lead", "Rita Report", "Sam Staff"]
    exported = list(
        csv.reader(io.StringIO(csv_text(client.get(reverse("team_dashboard"), {"export": "csv"}))))
    )
    assert [row[0] for row in exported[1:]] == ["Lee Lead", "Rita Report", "Sam Staff"]


def test_the_export_cannot_reach_outside_the_line(tracked, client_for):
    exported = csv_text(
        client_for(tracked["lead"]).get(reverse("team_dashboard"), {"export": "csv"})
    )
    assert "Rita Report" in exported and "Sam Staff" not in exported and "Oscar" not in exported


def test_a_person_assignment_shows_on_the_dashboard(people, client_for, clause):
    optional = module_page_create(clause=clause, title="Optional", slug="optional")
    optional.base_competence = False
    optional.save_revision().publish()
    assignment_create(
        module=optional, audience=Assignment.Audience.PERSON, person=people["staff"], due_on=days(3)
    )
    rows = table_of(client_for(people["manager"]).get(reverse("team_dashboard")))
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Sam Staff"][2].startswith("Not started, due")
    assert by_name["Lee Lead"][2] == "Not assigned"


def test_the_team_filter_offers_only_teams_of_the_line_and_the_teams_above_them(
    people, client_for, module
):
    region = team_get_or_create(name="Region")
    people["deep"].team = team_get_or_create(name="Patch", parent=region)
    people["deep"].save()
    form = client_for(people["lead"]).get(reverse("team_dashboard")).context["form"]
    assert [label for value, label in form.fields["team"].choices] == [
        "All teams",
        "Patch",
        "Region",
    ]
