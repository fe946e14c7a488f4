"""A manager's default dashboard view kept as drawn (tracking.kept_view): shown again while
nothing it shows has changed, drawn again as soon as anything has, never shown to anyone else,
and dropped with the names it holds. Each test shows the kept view being used (words planted in
it are shown), then makes one kind of change and shows the view drawn again."""

import datetime
import io

import pytest

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from modules.models import ModulePage
from modules.services import content_cache_forget
from people.models import Person, Team
from tests.factories import attempt_make, certificate_make, days, progress_make
from tracking import kept_view
from tracking import views as tracking_views
from tracking.headlines import line_headline_kept
from tracking.kept_view import line_view_keep, line_views_differences
from tracking.models import LineHeadline
from tracking.retention import person_anonymise
from tracking.selectors import modules_for_tracking, modules_for_tracking_cached
from tracking.services import assignment_create

from .test_dashboard import table_of

pytestmark = pytest.mark.django_db

PLANTED = "Planted Person"


def _dashboard(client_for, manager, params=None):
    response = client_for(manager).get(reverse("team_dashboard"), params)
    assert response.status_code == 200
    return response


def _plant(manager):
    """Put words in the manager's kept view, leaving what it is kept against as it is: a request
    that shows them read the kept view."""
    row = LineHeadline.objects.get(manager=manager)
    assert "Sam Staff" in row.view_html
    LineHeadline.objects.filter(manager=manager).update(
        view_html=row.view_html.replace("Sam Staff", PLANTED)
    )


@pytest.fixture
def kept(people, module, client_for):
    """The manager's dashboard drawn once and kept, then words planted in the kept view and
    shown: the next request reads the kept view."""
    manager = people["manager"]
    drawn = _dashboard(client_for, manager)
    assert "dashboard" in drawn.context  # drawn, not read back
    row = LineHeadline.objects.get(manager=manager)
    assert row.view_of and "Rita Report" in row.view_html
    _plant(manager)
    shown = _dashboard(client_for, manager)
    assert PLANTED in shown.content.decode()
    assert "dashboard" not in shown.context
    yield manager
    # The planted words are not what drawing gives: take them away before the after-test check
    # draws every kept view again and compares.
    LineHeadline.objects.filter(manager=manager, view_html__contains=PLANTED).update(
        view_of="", view_html=""
    )


def _drawn_again(client_for, manager):
    response = _dashboard(client_for, manager)
    assert PLANTED not in response.content.decode()
    assert "dashboard" in response.context
    assert PLANTED not in LineHeadline.objects.get(manager=manager).view_html
    return response


def _staff_row(response):
    return next(row for row in table_of(response) if row[0] == "Sam Staff")


def test_a_kept_view_is_the_page_as_drawn(people, module, client_for):
    manager = people["manager"]
    drawn = _dashboard(client_for, manager)
    shown = _dashboard(client_for, manager)
    assert "dashboard" not in shown.context
    assert table_of(shown) == table_of(drawn)
    assert [row[0] for row in table_of(shown)[1:]] == ["Lee Lead", "Rita Report", "Sam Staff"]


def test_a_learner_s_attempt_below_the_manager_has_it_drawn_again(kept, people, quiz, client_for):
    attempt_make(person=people["staff"], quiz=quiz, passed=False, percent=10)
    response = _drawn_again(client_for, kept)
    assert "Failed" in _staff_row(response)[2]


def test_a_learner_starting_a_module_has_it_drawn_again(kept, people, module, client_for):
    progress_make(person=people["staff"], module=module)
    assert "In progress" in _staff_row(_drawn_again(client_for, kept))[2]


def test_a_certificate_issued_below_the_manager_has_it_drawn_again(
    kept, people, module, client_for
):
    certificate_make(person=people["staff"], module=module, expires_on=days(20))
    _drawn_again(client_for, kept)


def test_a_record_of_someone_outside_the_line_leaves_it(kept, people, quiz, client_for):
    attempt_make(person=people["other_staff"], quiz=quiz, passed=False, percent=10)
    assert PLANTED in _dashboard(client_for, kept).content.decode()


def test_a_renamed_learner_has_it_drawn_again(kept, people, client_for):
    user = people["staff"].user
    user.first_name = "Samira"
    user.save(update_fields=["first_name"])
    assert "Samira Staff" in _drawn_again(client_for, kept).content.decode()


def test_a_renamed_team_has_it_drawn_again(kept, people, client_for):
    Team.objects.filter(pk=people["staff"].team_id).update(name="Adoption and fostering")
    assert _staff_row(_drawn_again(client_for, kept))[1] == "Adoption and fostering"


def test_a_learner_signing_in_leaves_it(kept, people, client_for):
    """A sign-in writes the account's last login, which the view does not show."""
    user = people["staff"].user
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert PLANTED in _dashboard(client_for, kept).content.decode()


def test_someone_joining_the_line_has_it_drawn_again(kept, people, client_for):
    Person.objects.filter(pk=people["other_staff"].pk).update(line_manager=people["lead"])
    assert "Oscar Other" in _drawn_again(client_for, kept).content.decode()


def test_an_assignment_has_it_drawn_again(kept, module, client_for):
    assignment_create(module=module, due_on=days(-1))
    assert "Overdue" in _staff_row(_drawn_again(client_for, kept))[2]


def test_a_renamed_module_has_it_drawn_again(kept, module, client_for):
    ModulePage.objects.filter(pk=module.pk).update(title="Personal use, again")
    content_cache_forget()  # as the admin's publish hook does
    response = _drawn_again(client_for, kept)
    assert table_of(response)[0][2].startswith("Personal use, again")


def test_a_module_renamed_while_the_view_is_drawn_is_shown_renamed_next(
    people, module, client_for, monkeypatch
):
    """A publish between the request's read of the content generation and its read of the
    modules: the view drawn with the old title is kept under the generation read before, which
    the publish has moved on, so the next request draws it with the new title."""
    reading = tracking_views.modules_for_tracking_cached

    def read_then_publish():
        modules = reading()
        ModulePage.objects.filter(pk=module.pk).update(title="Personal use, again")
        content_cache_forget()  # as the admin's publish hook does
        return modules

    monkeypatch.setattr(tracking_views, "modules_for_tracking_cached", read_then_publish)
    during = _dashboard(client_for, people["manager"])
    assert not table_of(during)[0][2].startswith("Personal use, again")
    monkeypatch.undo()
    after = _dashboard(client_for, people["manager"])
    assert "dashboard" in after.context  # drawn again, not the view kept during the publish
    assert table_of(after)[0][2].startswith("Personal use, again")


def test_the_next_day_it_is_drawn_again(kept, people):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    line = line_headline_kept(
        manager=kept, modules=modules_for_tracking_cached(), today=tomorrow, with_view=True
    )
    assert line.line is not None  # counted again, so the view's digest is another
    assert kept_view.line_view_kept(kept=line, content=kept_view.content_generation()) is None


def test_another_page_size_has_it_drawn_again(kept, client_for):
    with override_settings(LMS_DASHBOARD_PAGE_SIZE=2):
        response = _drawn_again(client_for, kept)
        assert "page 1 of 2" in response.content.decode()
    LineHeadline.objects.filter(manager=kept).update(view_of="", view_html="")


def test_a_release_has_it_drawn_again(kept, client_for, monkeypatch):
    monkeypatch.setattr(kept_view, "_drawing", lambda: "the next release")
    _drawn_again(client_for, kept)


def test_the_drawing_code_is_every_module_and_template_but_the_migrations(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    (tmp_path / "tracking" / "migrations").mkdir(parents=True)
    (tmp_path / "templates").mkdir()
    status, template = tmp_path / "tracking" / "status.py", tmp_path / "templates" / "a.html"
    migration = tmp_path / "tracking" / "migrations" / "0001.py"
    for path in (status, template, migration):
        path.write_text("before")
    drawing = kept_view._drawing.__wrapped__
    first = drawing()
    migration.write_text("after")
    assert drawing() == first
    for path in (status, template):
        path.write_text("after")
        assert drawing() != first
        first = drawing()


def test_a_filtered_view_neither_reads_nor_writes_it(kept, client_for):
    before = LineHeadline.objects.get(manager=kept).view_html
    for params in ({"status": "not_started"}, {"page": "1"}, {"sort": "team"}):
        assert PLANTED not in _dashboard(client_for, kept, params).content.decode()
    assert LineHeadline.objects.get(manager=kept).view_html == before


def test_a_kept_view_is_shown_only_to_its_manager(kept, people, client_for):
    lead = _dashboard(client_for, people["lead"])
    assert PLANTED not in lead.content.decode()
    assert [row[0] for row in table_of(lead)[1:]] == ["Rita Report"]
    other = _dashboard(client_for, people["other_manager"])
    assert PLANTED not in other.content.decode()
    assert [row[0] for row in table_of(other)[1:]] == ["Oscar Other"]


def test_a_view_drawn_from_a_headline_a_refresh_overtook_is_never_shown(
    people, module, quiz, client_for
):
    """Drawn from the headline as read before a learner's attempt committed, the view is kept
    against that headline, which no longer holds: the next request draws again."""
    manager = people["manager"]
    _dashboard(client_for, manager)
    modules = modules_for_tracking_cached()
    before = line_headline_kept(
        manager=manager, modules=modules, today=timezone.localdate(), with_view=True
    )
    attempt_make(person=people["staff"], quiz=quiz, passed=False, percent=10)
    content = kept_view.content_generation()
    assert line_view_keep(manager=manager, kept=before, content=content, html=PLANTED)
    response = _dashboard(client_for, manager)
    assert PLANTED not in response.content.decode()
    assert "Failed" in _staff_row(response)[2]


def test_a_count_not_kept_keeps_no_view(people, module):
    manager = people["manager"]
    modules = modules_for_tracking_cached()
    line = line_headline_kept(manager=manager, modules=modules, today=timezone.localdate())
    overtaken = type(line)(team_ids=line.team_ids, totals=line.totals, line=line.line, state=None)
    content = kept_view.content_generation()
    assert not line_view_keep(manager=manager, kept=overtaken, content=content, html=PLANTED)
    assert LineHeadline.objects.get(manager=manager).view_html == ""


def test_anonymising_someone_drops_every_kept_view(kept, people, client_for):
    person_anonymise(person=people["other_staff"], today=timezone.localdate())
    assert not LineHeadline.objects.exclude(view_html="").exists()
    _drawn_again(client_for, kept)


def test_the_check_finds_a_bent_view_and_forgetting_drops_it(kept):
    differences = line_views_differences(
        modules=list(modules_for_tracking()), today=timezone.localdate()
    )
    assert list(differences) == [kept.pk]
    bent, drawn = differences[kept.pk]
    assert PLANTED in bent and PLANTED not in drawn and "Sam Staff" in drawn
    with pytest.raises(CommandError, match="1 kept view"):
        call_command("line_headlines", "--check", stdout=io.StringIO())
    call_command("line_headlines", "--forget", stdout=io.StringIO())
    assert LineHeadline.objects.get(manager=kept).view_html == ""
    call_command("line_headlines", "--check", stdout=io.StringIO())


def test_the_nightly_pruning_drops_every_kept_view(kept, client_for):
    out = io.StringIO()
    call_command("line_headlines", "--prune", stdout=out)
    assert "every view drawn again" in out.getvalue()
    assert LineHeadline.objects.get(manager=kept).view_html == ""
    _drawn_again(client_for, kept)
