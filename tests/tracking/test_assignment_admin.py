"""L&D authors manage assignments as snippets in the Wagtail admin."""

import pytest

from django.urls import reverse

from tracking.models import Assignment

pytestmark = pytest.mark.django_db


def test_an_author_assigns_a_module_and_a_contradictory_due_date_is_refused(
    people, client_for, module
):
    client = client_for(people["author"])
    add_url = reverse("wagtailsnippets_lms_assignment:add")
    assert client.get(add_url).status_code == 200
    data = {
        "module": module.pk,
        "audience": "everyone",
        "team": "",
        "person": "",
        "due_on": "2026-12-01",
        "due_within_days": "30",
        "assigned_on": "2026-01-01",
    }
    response = client.post(add_url, data)
    assert response.status_code == 200
    assert (
        "Give either a fixed due date or a number of days after starting"
        in response.content.decode()
    )
    assert not Assignment.objects.exists()
    response = client.post(add_url, {**data, "due_within_days": ""})
    assert response.status_code == 302
    assert Assignment.objects.get().due_on.isoformat() == "2026-12-01"
    assert client.get(reverse("wagtailsnippets_lms_assignment:list")).status_code == 200


def test_staff_and_auditors_cannot_manage_assignments(people, client_for):
    for who in ("staff", "auditor"):
        response = client_for(people[who]).get(reverse("wagtailsnippets_lms_assignment:add"))
        assert response.status_code in (302, 403)
