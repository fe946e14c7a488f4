"""Policies past their review date: flagged on the admin home and in the policy library, since
the modules must teach each policy as it stands today."""

import datetime

import pytest

from django.urls import reverse

from modules.home_panels import policy_review_panel_for
from modules.selectors import policy_documents_review_due, policy_review_status
from tests.factories import PolicyDocumentFactory

TODAY = datetime.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("review_on", "status"),
    [
        (None, ""),
        (datetime.date(2025, 10, 1), "overdue"),
        (TODAY - datetime.timedelta(days=1), "overdue"),
        (TODAY, "due"),
        (TODAY + datetime.timedelta(days=30), "due"),
        (TODAY + datetime.timedelta(days=31), ""),
    ],
)
def test_a_review_date_is_overdue_once_passed_and_due_within_thirty_days(review_on, status):
    assert policy_review_status(review_on=review_on, today=TODAY) == status


def _document(title, review_on, *, live=True):
    document = PolicyDocumentFactory(title=title, review_on=review_on)
    document.live = live
    document.save(update_fields=["live"])
    return document


@pytest.mark.django_db
def test_only_published_policies_near_or_past_review_are_listed_longest_overdue_first():
    late = _document("Late", datetime.date(2025, 10, 1))
    soon = _document("Soon", TODAY + datetime.timedelta(days=10))
    later = _document("Later", datetime.date(2025, 12, 1))
    _document("Far off", TODAY + datetime.timedelta(days=200))
    _document("Undated", None)
    _document("Draft edition", datetime.date(2025, 1, 1), live=False)
    assert list(policy_documents_review_due(today=TODAY)) == [late, later, soon]


@pytest.mark.django_db
def test_authors_see_the_policies_to_review_on_the_admin_home(people, client_for):
    document = _document("Social media policy", datetime.date(2025, 10, 1))
    home = client_for(people["author"]).get(reverse("wagtailadmin_home")).content.decode()
    assert "Policies to review" in home
    assert "<strong>Overdue</strong> since 1 October 2025" in home
    edit_url = reverse("wagtailsnippets_modules_policydocument:edit", args=[document.pk])
    assert f'href="{edit_url}"' in home


@pytest.mark.django_db
def test_no_panel_when_nothing_is_due_or_for_those_who_cannot_edit_policies(people, client_for):
    _document("Reviewed last month", TODAY + datetime.timedelta(days=300))
    assert policy_review_panel_for(people["author"].user, today=TODAY) is None
    _document("Due", TODAY + datetime.timedelta(days=3))
    panel = policy_review_panel_for(people["author"].user, today=TODAY)
    assert [review["status"] for review in panel.get_context_data()["reviews"]] == ["due"]
    # Auditors reach the admin for reports but do not keep the policy library.
    assert policy_review_panel_for(people["auditor"].user, today=TODAY) is None
    auditor_home = client_for(people["auditor"]).get(reverse("wagtailadmin_home"))
    assert "Policies to review" not in auditor_home.content.decode()


@pytest.mark.django_db
def test_the_policy_library_marks_a_review_date_that_has_passed(people, client_for):
    _document("Past review", datetime.date(2025, 10, 1))
    listing = client_for(people["author"]).get(
        reverse("wagtailsnippets_modules_policydocument:list")
    )
    assert listing.status_code == 200
    assert "1 October 2025 (overdue)" in listing.content.decode()
