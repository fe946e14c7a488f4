"""The team and person choosers of the Wagtail admin: who may open them, what they list and find,
and that the forms and filters which used to list every team or person now use them."""

import datetime
import json
import re

import pytest

from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from people.models import Team
from people.services import team_get_or_create
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _choose(client, name, **params):
    return client.get(reverse(f"{name}:choose"), params)


def _listed_names(response):
    """The names in a chooser's result rows (its choice links), in order."""
    html = json.loads(response.content)["html"]
    return _choice_texts(html)


def _choice_texts(html):
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r"<a [^>]*data-chooser-modal-choice[^>]*>(.*?)</a>", html, re.S)
    ]


def test_the_team_chooser_finds_a_team_by_any_of_its_words_a_page_at_a_time(people, client_for):
    parent = team_get_or_create(name="Family court south")
    for number in range(25):
        team_get_or_create(name=f"Bay team {number:02d}", parent=parent)
    client = client_for(people["auditor"])

    first_page = _listed_names(_choose(client, "team_chooser"))
    assert len(first_page) == 20
    assert first_page[:3] == ["Bay team 00", "Bay team 01", "Bay team 02"]
    # The rest on the next page, in the same order.
    results = client.get(reverse("team_chooser:choose_results"), {"p": 2})
    assert _choice_texts(results.content.decode())[:5] == [
        "Bay team 20",
        "Bay team 21",
        "Bay team 22",
        "Bay team 23",
        "Bay team 24",
    ]

    # Every word must match, in any order and case; the team above is shown beside each.
    found = client.get(reverse("team_chooser:choose_results"), {"q": "07 BAY"})
    html = found.content.decode()
    assert _choice_texts(html) == ["Bay team 07"]
    assert "Family court south" in html
    assert (
        _choice_texts(
            client.get(
                reverse("team_chooser:choose_results"), {"q": "nothing like it"}
            ).content.decode()
        )
        == []
    )


def test_choosing_a_team_answers_with_its_id_and_name(people, client_for):
    team = team_get_or_create(name="Adoption north")
    response = client_for(people["auditor"]).get(reverse("team_chooser:chosen", args=[team.pk]))
    assert response.status_code == 200
    result = json.loads(response.content)["result"]
    assert result["id"] == str(team.pk)
    assert result["title"] == "Adoption north"


def test_a_search_longer_than_any_team_name_is_ignored_not_run(people, client_for):
    response = client_for(people["auditor"]).get(
        reverse("team_chooser:choose_results"), {"q": "x" * 151}
    )
    assert response.status_code == 200
    assert "Family court team" in _choice_texts(response.content.decode())


@pytest.mark.parametrize(
    ("who", "team_chooser", "person_chooser"),
    [
        ("auditor", True, False),  # reports: their filters choose a team
        ("reviewer", True, False),  # the same
        ("author", True, True),  # assignments: a team or a person
        ("manager", False, False),  # no admin access
    ],
)
def test_who_may_open_the_choosers(people, reviewer, client_for, who, team_chooser, person_chooser):
    client = client_for(reviewer if who == "reviewer" else people[who])
    team = Team.objects.get(name="Other team")
    for opens, responses in (
        (
            team_chooser,
            [
                _choose(client, "team_chooser"),
                client.get(reverse("team_chooser:choose_results")),
                client.get(reverse("team_chooser:chosen", args=[team.pk])),
            ],
        ),
        (
            person_chooser,
            [
                _choose(client, "person_chooser"),
                client.get(reverse("person_chooser:choose_results")),
                client.get(reverse("person_chooser:chosen", args=[people["other_staff"].pk])),
            ],
        ),
    ):
        for response in responses:
            # Refused, Wagtail sends the user back to the dashboard (or to sign in).
            assert response.status_code == (200 if opens else 302)
            assert (b"Other" in response.content) == opens


def test_the_person_chooser_lists_current_staff_only(people, client_for):
    PersonFactory(
        user__first_name="Lena", user__last_name="Left", left_on=datetime.date(2026, 1, 5)
    )
    PersonFactory(
        user__first_name="Anon", user__last_name="Ymised", anonymised_on=datetime.date(2026, 2, 1)
    )
    client = client_for(people["author"])

    listed = _listed_names(_choose(client, "person_chooser"))
    assert "Sam Staff" in listed
    assert "Lena Left" not in listed and "Anon Ymised" not in listed
    assert listed == sorted(listed, key=lambda name: name.split()[-1])

    # Found by either name or the username; not found when they have left, even by name.
    def found(query):
        response = client.get(reverse("person_chooser:choose_results"), {"q": query})
        return _choice_texts(response.content.decode())

    assert found("staff sam") == ["Sam Staff"]
    # A search's matches come in the same order as the list: by last name, then first name.
    matches = found("a")
    assert len(matches) > 5
    assert matches == sorted(matches, key=lambda name: (name.split()[-1], name.split()[0]))
    assert found("oscar.other") == ["Oscar Other"]
    assert found("Lena") == []
    # Nor chosen by their id, typed into the address.
    leaver = PersonFactory(left_on=datetime.date(2026, 1, 5))
    assert client.get(reverse("person_chooser:chosen", args=[leaver.pk])).status_code == 404


def test_the_assignment_form_lists_no_team_and_no_person(people, client_for):
    for number in range(30):
        team_get_or_create(name=f"Listed nowhere {number}")
    response = client_for(people["author"]).get("/admin/snippets/lms/assignment/add/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Listed nowhere" not in html and "Oscar Other" not in html
    assert reverse("team_chooser:choose") in html
    assert reverse("person_chooser:choose") in html


def test_a_report_filter_lists_no_team_and_names_the_chosen_one(people, client_for):
    for number in range(30):
        team_get_or_create(name=f"Listed nowhere {number}")
    client = client_for(people["auditor"])
    for report in ("compliance-over-time", "most-missed-clauses", "item-analysis"):
        html = client.get(f"/admin/reports/{report}/").content.decode()
        assert "Listed nowhere" not in html, report
        assert reverse("team_chooser:choose") in html, report

        other = Team.objects.get(name="Other team")
        response = client.get(f"/admin/reports/{report}/", {"team": other.pk})
        assert response.status_code == 200
        # The chosen team is named in its widget, and kept in the hidden input the filter reads.
        chosen = response.content.decode()
        assert "Other team" in chosen, report
        assert f'value="{other.pk}"' in chosen, report


def test_the_person_chooser_s_name_order_has_an_index():
    """The chooser's first page is read in the accounts' name order (people migration 0004): an
    index on last and first names lets the database stop at the page instead of sorting all."""
    table = get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, table)
    assert ["last_name", "first_name"] in [
        info["columns"] for info in indexes.values() if info["index"]
    ]
