"""A worker process killed in the middle of rendering leaves no half certificate, and the retry
issues it (PostgreSQL: a real second process, killed with SIGKILL while it holds the transaction)."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from django.db import connection

from certificates.models import Certificate
from certificates.services import certificate_issue_for_attempt
from quizzes.models import Attempt
from quizzes.services import attempt_submit
from tests.factories import attempt_begin

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKER = textwrap.dedent(
    """
    import sys, time, django
    django.setup()
    import certificates.services as services

    def render_forever(*, certificate):
        print("rendering", flush=True)  # the certificate row exists, uncommitted, inside the transaction
        time.sleep(120)

    services.certificate_pdf_render = render_forever
    services.certificate_issue_for_attempt(attempt_id=int(sys.argv[1]))
    """
)


def test_a_worker_killed_mid_render_leaves_nothing_and_the_retry_issues_once(people, quiz, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("Needs a second process on a shared database server: PostgreSQL (CI runs it).")
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    answers = {str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])] for q in attempt.questions}
    # Submit without queueing the task: the worker below plays the task.
    monkeypatch.setattr("quizzes.services._certificate_issue_enqueue", lambda *, attempt_id: None)
    attempt = attempt_submit(attempt=attempt, answers=answers)
    assert Attempt.objects.get(pk=attempt.pk).passed

    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}",
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(attempt.pk)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout.readline().strip() == "rendering"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    # The server rolls the dead connection's transaction back: no certificate, no half row.
    deadline = time.monotonic() + 30
    while Certificate.objects.filter(attempt=attempt).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Certificate.objects.filter(attempt=attempt).exists()

    certificate = certificate_issue_for_attempt(attempt_id=attempt.pk)
    assert certificate.sha256 and certificate.pdf
    assert certificate_issue_for_attempt(attempt_id=attempt.pk) == certificate
    assert Certificate.objects.filter(attempt=attempt).count() == 1
