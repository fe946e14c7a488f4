"""Reminder e-mails: before a due date, when overdue, before expiry, escalation; each sent once."""

import io

import pytest

from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError
from django.test import TestCase, override_settings

from tests.factories import certificate_make, days
from tracking.models import Reminder
from tracking.services import assignment_create, reminder_send

pytestmark = pytest.mark.django_db


def run():
    """The cron command, with its transactions' after-commit work run as if committed: that is
    when the outbox hands the e-mails over."""
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", stdout=out)
    return out.getvalue()


def sent_to(address):
    return [message for message in mail.outbox if address in message.to]


@pytest.fixture
def everyone_assigned(people, module):
    return assignment_create(module=module, due_on=days(5))


def test_staff_are_reminded_before_the_due_date_with_a_link_to_the_module(
    people, module, everyone_assigned
):
    assert "Queued" in run()
    messages = sent_to("sam.staff@example.org")
    assert len(messages) == 1
    assert messages[0].subject.startswith(f"Reminder: complete “{module.title}” by")
    assert "https://learning.example.org" + module.url in messages[0].body
    assert Reminder.objects.filter(
        person=people["staff"], reason="due_soon", about_date=days(5)
    ).exists()


def test_nobody_is_reminded_while_the_due_date_is_far_off(people, module):
    assignment_create(module=module, due_on=days(30))
    run()
    assert mail.outbox == []


def test_each_reminder_goes_once_however_often_the_command_runs(people, module, everyone_assigned):
    run()
    count = len(mail.outbox)
    assert count > 0
    run()
    run()
    assert len(mail.outbox) == count
    # Even a direct second send (a retried task, a second worker) sends nothing.
    assert (
        reminder_send(
            person_id=people["staff"].pk,
            module_id=module.pk,
            reason="due_soon",
            about_date=days(5).isoformat(),
        )
        is False
    )
    assert len(mail.outbox) == count


def test_the_database_refuses_a_second_row_for_the_same_reminder(people, module):
    Reminder.objects.create(
        person=people["staff"],
        module=module,
        reason="overdue",
        about_date=days(-1),
        recipient="x@example.org",
    )
    with pytest.raises(IntegrityError):
        Reminder.objects.create(
            person=people["staff"],
            module=module,
            reason="overdue",
            about_date=days(-1),
            recipient="x@example.org",
        )


@override_settings(LMS_ESCALATE_OVERDUE_AFTER_DAYS=14)
def test_overdue_staff_are_reminded_and_their_manager_is_told_after_the_escalation_delay(
    people, module
):
    assignment = assignment_create(module=module, due_on=days(-3))
    run()
    assert [m.subject for m in sent_to("sam.staff@example.org")][0].startswith("Overdue:")
    assert not Reminder.objects.filter(reason="escalation").exists()
    assignment.due_on = days(-14)
    assignment.save()
    run()
    escalations = [m for m in sent_to("maria.manager@example.org") if "Sam Staff" in m.subject]
    assert len(escalations) == 1
    assert "Sam Staff, who reports to you" in escalations[0].body
    # Rita's escalation goes to her own manager, Lee.
    assert any("Rita Report" in m.subject for m in sent_to("lee.lead@example.org"))
    # People at the top of the tree have nobody to escalate to.
    assert not Reminder.objects.filter(reason="escalation", person=people["manager"]).exists()


@override_settings(LMS_EXPIRING_SOON_DAYS=30)
def test_certificate_holders_are_reminded_before_expiry_and_again_next_cycle(people, module):
    certificate_make(person=people["staff"], module=module, expires_on=days(20))
    run()
    expiring = [m for m in sent_to("sam.staff@example.org") if "runs out" in m.subject]
    assert len(expiring) == 1
    run()
    assert len([m for m in sent_to("sam.staff@example.org") if "runs out" in m.subject]) == 1
    # After recertifying, the next certificate's expiry gets its own reminder.
    certificate_make(person=people["staff"], module=module, expires_on=days(25))
    run()
    assert len([m for m in sent_to("sam.staff@example.org") if "runs out" in m.subject]) == 2


def test_people_who_have_left_get_no_reminders(people, module, everyone_assigned):
    people["staff"].left_on = days(-1)
    people["staff"].save()
    run()
    assert sent_to("sam.staff@example.org") == []


def test_a_rolled_back_reminder_queues_no_mail(people, module, everyone_assigned, monkeypatch):
    from tracking import services

    def outbox_broken(**kwargs):
        raise IntegrityError("outbox unavailable")  # as if the transaction failed at commit

    monkeypatch.setattr(services, "outbox_add", outbox_broken)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert (
            reminder_send(
                person_id=people["staff"].pk,
                module_id=module.pk,
                reason="due_soon",
                about_date=days(5),
            )
            is False
        )
    assert not Reminder.objects.exists() and mail.outbox == []


def test_a_reminder_has_a_plain_text_and_an_html_part_with_the_same_words(
    people, module, everyone_assigned
):
    run()
    (message,) = sent_to("sam.staff@example.org")
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    link = "https://learning.example.org" + module.url
    assert link in message.body and f'<a href="{link}"' in html
    assert '<html lang="en-GB">' in html and "Dear Sam" in html and "Dear Sam" in message.body


def test_no_escalation_goes_to_a_manager_who_has_left(people, module):
    assignment_create(module=module, due_on=days(-30))
    people["manager"].left_on = days(-1)
    people["manager"].save()
    run()
    assert sent_to("maria.manager@example.org") == []
    assert any("Rita Report" in m.subject for m in sent_to("lee.lead@example.org"))
