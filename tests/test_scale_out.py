"""Two app servers and two workers on one PostgreSQL, a shared cache and shared file storage, as
docs/deploy.md describes production: nothing a request or a task needs lives in one process.

Real processes with lms.settings.production: two gunicorn servers (deploy/gunicorn.conf.py) and
two `manage.py run_worker` workers, on this test's PostgreSQL database. The cache is Redis at
TEST_REDIS_URL (default 127.0.0.1:6379) when it answers, else the database cache table that the
release steps create (TEST_SHARED_CACHE=database chooses it even where Redis answers).
Certificates and evidence go to one directory that every process shares (in production, the
bucket). A learner's journey alternates between the two servers: sign-in, module, quiz, the
certificate the background issues, its download from both; a second person's certificate, issued
by the other worker once the first is stopped, is served by both too. The sign-in throttle and the
verification pages' rate limit count the requests made to either server."""

import contextlib
import hashlib
import importlib.util
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from django.conf import global_settings
from django.test import override_settings

from certificates.models import Certificate
from quizzes.models import Attempt
from quizzes.services import attempt_submit
from tests.conftest import PASSWORD
from tests.factories import attempt_begin
from tests.worker_processes import Database

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_HOST = "learning.example.org"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Generous bounds for events that must happen, so that a slow, shared machine never fails the
# test: they only turn a hang into a clear failure.
STARTUP_SECONDS = 120
CERTIFICATE_SECONDS = 120
REQUEST_SECONDS = 120  # the first request also waits for the server's worker to load the app
# Small limits, so that the test needs few requests to reach them.
LOGIN_PAIR_FAILURE_LIMIT = 4
VERIFY_RATE_LIMIT = 4
VERIFY_WINDOW_SECONDS = 3600
TOO_MANY_SIGN_INS = "Too many failed login attempts"
WRONG_PASSWORD = "The username and/or password you specified are not correct"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
WORKER_STARTED = re.compile(r"Starting worker worker_id=(\S+)")

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _prod_check():
    spec = importlib.util.spec_from_file_location("prod_check", ROOT / "scripts" / "prod_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


prod_check = _prod_check()


def _redis():
    """A client of the Redis at REDIS_URL, or None when none answers there."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


class Browser:
    """One person's browser: one cookie jar for the one public host name, each request sent to
    the server named, as the load balancer (the pretend TLS proxy) would send it: with the public
    Host header, whichever server it picks."""

    def __init__(self, ports):
        self.servers = [
            prod_check.Client(port, host=PUBLIC_HOST, timeout=REQUEST_SECONDS) for port in ports
        ]
        self.cookies = {}
        for server in self.servers:
            server.cookies = self.cookies  # shared, not copied

    def get(self, server, path, headers=None):
        response, body = self.servers[server].request("GET", path, headers=headers)
        return response, body

    def post(self, server, path, data, *, page):
        """Post a form whose CSRF token comes from ``page`` (which the other server may have
        served)."""
        token = CSRF_TOKEN.search(page)
        assert token, f"no CSRF token in the page before POST {path}"
        origin = self.servers[server].origin
        return self.servers[server].request(
            "POST",
            path,
            body=urlencode({"csrfmiddlewaretoken": token.group(1), **data}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": f"{origin}{path}",
            },
        )


def _ok(exchange, server, what, contains=None):
    response, body = exchange
    page = body.decode(errors="replace")
    assert response.status == 200, f"{what} on server {server}: status {response.status}"
    if contains:
        assert contains in page, f"{what} on server {server}: no {contains!r} in the page"
    return page


def _redirect(exchange, server, what):
    response, body = exchange
    assert response.status == 302, (
        f"{what} on server {server}: status {response.status}, expected a redirect\n"
        f"{body.decode(errors='replace')[:2000]}"
    )
    return response.headers["Location"]


class Cluster:
    """The processes of one deployment; stopped (all of them) by ``stop``."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.servers = []
        self.workers = []

    def worker_start(self, env, name):
        log_path = self.workdir / f"{name}.log"
        with open(log_path, "w") as log:
            worker = subprocess.Popen(  # noqa: S603 - our own manage.py
                [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.workers.append((worker, log_path))

    def worker_stop(self, index):
        """SIGTERM, as systemd stops it: the worker finishes its task, then it and its supervisor
        exit."""
        worker, log_path = self.workers[index]
        worker.terminate()
        assert worker.wait(timeout=STARTUP_SECONDS) == 0, (
            f"worker {index} did not stop cleanly:\n{log_path.read_text()[-3000:]}"
        )

    def worker_ids(self, index):
        """The ids of the db_worker processes worker ``index`` has started so far."""
        return WORKER_STARTED.findall(self.workers[index][1].read_text())

    def logs(self):
        return "\n".join(
            f"--- {path.name}:\n{path.read_text()[-3000:]}" for path in self.workdir.glob("*.log")
        )

    def stop(self):
        for server in self.servers:
            prod_check.gunicorn_stop(server)
        for worker, _ in self.workers:
            # run_worker's db_worker runs in its own session: the supervisor passes SIGTERM on and
            # waits for it, so stopping the supervisor stops both.
            children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
            child_pids = children.read_text().split() if children.exists() else []
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
                for pid in child_pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)


def _certificate_task(attempt_id, cluster):
    """The finished task that issued the attempt's certificate, once a worker has run it."""
    deadline = time.monotonic() + CERTIFICATE_SECONDS
    while True:
        tasks = [
            task
            for task in DBTaskResult.objects.filter(
                task_path="certificates.tasks.certificate_issue_task"
            )
            if task.args_kwargs["kwargs"].get("attempt_id") == attempt_id
        ]
        finished = [task for task in tasks if task.status == TaskResultStatus.SUCCESSFUL]
        if finished:
            return finished[0]
        failed = [task for task in tasks if task.status == TaskResultStatus.FAILED]
        assert not failed, f"issuing the certificate failed:\n{failed[0].traceback}"
        assert time.monotonic() < deadline, (
            f"no worker issued the certificate within {CERTIFICATE_SECONDS} s "
            f"(tasks: {[(task.status, task.worker_ids) for task in tasks]})\n{cluster.logs()}"
        )
        time.sleep(0.2)


def _correct_answers(attempt):
    return {
        f"q-{question['id']}": next(
            option["id"] for option in question["options"] if option["correct"]
        )
        for question in attempt.questions
    }


@pytest.fixture
def shared_cache():
    """Environment for the shared cache: Redis when it answers (under a key prefix of this run's
    own, whose keys are removed afterwards), else the database cache. TEST_SHARED_CACHE=database
    chooses the database cache even where Redis answers."""
    client = None if os.environ.get("TEST_SHARED_CACHE") == "database" else _redis()
    if client is None:
        yield {}
        return
    prefix = f"scale-out-test-{secrets.token_hex(6)}"
    yield {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


def test_two_app_servers_and_two_workers_serve_one_journey_and_share_their_limits(
    people, module, quiz, shared_cache, tmp_path
):
    learner, second, other = people["staff"], people["deep"], people["other_staff"]
    # The test settings hash with MD5, which production does not accept: production's hashers.
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        for person in (learner, second, other):
            person.user.set_password(PASSWORD)
            person.user.save(update_fields=["password"])

    ports = [prod_check.free_port()]
    while len(ports) < 2:
        ports = sorted({*ports, prod_check.free_port()})
    env = {
        **prod_check.production_env(
            database_url=Database(tmp_path).url, workdir=tmp_path, ports=ports
        ),
        **shared_cache,
        "ALLOWED_HOSTS": PUBLIC_HOST,
        "SITE_URL": f"https://{PUBLIC_HOST}",
        "CSRF_TRUSTED_ORIGINS": f"https://{PUBLIC_HOST}",
        "LOGIN_PAIR_FAILURE_LIMIT": str(LOGIN_PAIR_FAILURE_LIMIT),
        "CERTIFICATE_VERIFY_RATE_LIMIT": str(VERIFY_RATE_LIMIT),
        "CERTIFICATE_VERIFY_RATE_WINDOW_SECONDS": str(VERIFY_WINDOW_SECONDS),
        # The verification pages' limit is per client address: the pretend proxy names one.
        "CERTIFICATE_VERIFY_TRUSTED_PROXIES": "1",
        # gunicorn restarts a worker silent for this long, loading the app included: a loaded
        # machine must not turn a slow start into a loop of restarts.
        "GUNICORN_TIMEOUT": str(STARTUP_SECONDS),
    }
    if "REDIS_URL" not in env:  # the release step for the database cache
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True
        )

    cluster = Cluster(tmp_path)
    try:
        for index in range(2):
            cluster.worker_start(env, f"worker-{index}")
        for index, port in enumerate(ports):
            cluster.servers.append(
                prod_check.gunicorn_start(
                    {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                    tmp_path / f"server-{index}.log",
                    port,
                    startup_seconds=STARTUP_SECONDS,
                )
            )
        _journey_and_limits(
            cluster, ports, learner=learner, second_learner=second, module=module, quiz=quiz
        )
    except prod_check.CheckFailed as failure:
        pytest.fail(f"{failure}\n{cluster.logs()}")
    finally:
        cluster.stop()


def _journey_and_limits(cluster, ports, *, learner, second_learner, module, quiz):
    browser = Browser(ports)
    a, b = 0, 1

    # Sign in: the form from one server, posted to the other; the session holds on both.
    page = _ok(browser.get(a, "/accounts/login/"), a, "sign-in page", "Sign in")
    _redirect(
        browser.post(
            b, "/accounts/login/", {"username": "sam.staff", "password": PASSWORD}, page=page
        ),
        b,
        "signing in",
    )
    assert "sessionid" in browser.cookies

    # The module, each step's page from one server and its answer to the other.
    page = _ok(browser.get(a, module.url), a, "module page", "Start module")
    step = _redirect(browser.post(b, module.url, {}, page=page), b, "starting the module")
    assert step.endswith("/step/1/")
    page = _ok(browser.get(a, step), a, "step 1", "Meet Jade")
    step = _redirect(browser.post(b, step, {"continue": "1"}, page=page), b, "step 1")
    assert step.endswith("/step/2/")
    page = _ok(browser.get(a, step), a, "the decision")
    _redirect(browser.post(b, step, {"choice": "0"}, page=page), b, "choosing")
    page = _ok(browser.get(a, step), a, "the decision's feedback", "clause 2.19")
    step = _redirect(browser.post(b, step, {"continue": "1"}, page=page), b, "step 2")
    page = _ok(browser.get(a, step), a, "step 3")
    _redirect(browser.post(b, step, {"continue": "1"}, page=page), b, "step 3")

    # The quiz: started on one server, answered from the other's page, scored on the first.
    page = _ok(browser.get(a, module.url), a, "module page after its steps", "Take the quiz")
    attempt_path = _redirect(
        browser.post(b, f"/quizzes/{quiz.pk}/start/", {}, page=page), b, "starting the quiz"
    )
    attempt = Attempt.objects.get(pk=int(attempt_path.rstrip("/").rsplit("/", 1)[1]))
    assert attempt.person_id == learner.pk
    page = _ok(browser.get(a, attempt_path), a, "the quiz")
    answers = {**_correct_answers(attempt), "form_token": FORM_TOKEN.search(page).group(1)}
    result_path = _redirect(browser.post(b, attempt_path, answers, page=page), b, "submitting")
    for server in (a, b):
        _ok(browser.get(server, result_path), server, "the result", "You passed")

    # The certificate: issued by one of the two workers, whichever took the task; both servers
    # serve the very same file.
    first_worker = _issuing_worker(_certificate_task(attempt.pk, cluster), cluster)
    certificate = Certificate.objects.get(person=learner, kind=Certificate.Kind.MODULE)
    _same_file_from_both(browser, certificate)

    # The other worker's certificates are served by both too: with the first worker stopped, the
    # next certificate (a second person's pass, queued for the background) can only be the other's.
    cluster.worker_stop(first_worker)
    with override_settings(TASKS=DATABASE_TASKS):
        second_attempt = attempt_begin(person=second_learner, quiz=quiz)
        answers = {
            key.removeprefix("q-"): [value]
            for key, value in _correct_answers(second_attempt).items()
        }
        attempt_submit(attempt=second_attempt, answers=answers)
    second_worker = _issuing_worker(_certificate_task(second_attempt.pk, cluster), cluster)
    assert second_worker == 1 - first_worker
    second_browser = Browser(ports)
    page = _ok(second_browser.get(b, "/accounts/login/"), b, "sign-in page")
    _redirect(
        second_browser.post(
            a, "/accounts/login/", {"username": "rita.report", "password": PASSWORD}, page=page
        ),
        a,
        "signing in",
    )
    second_certificate = Certificate.objects.get(
        person=second_learner, kind=Certificate.Kind.MODULE
    )
    _same_file_from_both(second_browser, second_certificate)

    _sign_in_throttle_counts_both(ports)
    _verify_rate_limit_counts_both(ports, certificate.code)


def _issuing_worker(task, cluster):
    """Which of the cluster's two workers (0 or 1) ran the task, from its worker id."""
    issued_by = [index for index in (0, 1) if task.worker_ids[-1] in cluster.worker_ids(index)]
    assert len(issued_by) == 1, (
        f"the task's worker {task.worker_ids} is not one of ours:\n{cluster.logs()}"
    )
    return issued_by[0]


def _same_file_from_both(browser, certificate):
    downloads = []
    for server in (0, 1):
        response, body = browser.get(server, f"/certificates/{certificate.serial}/download/")
        assert response.status == 200, f"download from server {server}: status {response.status}"
        assert response.headers["Content-Type"] == "application/pdf"
        downloads.append(body)
    assert downloads[0] == downloads[1], "the two servers served different files"
    assert hashlib.sha256(downloads[0]).hexdigest() == certificate.sha256
    assert downloads[0].startswith(b"%PDF-")


def _sign_in_throttle_counts_both(ports):
    """LOGIN_PAIR_FAILURE_LIMIT failed sign-ins for one account from one address, half to each
    server: neither server saw the limit's worth, yet the next is refused on both, even with the
    right password."""
    attacker = Browser(ports)
    page = _ok(attacker.get(0, "/accounts/login/"), 0, "sign-in page")
    for attempt in range(LOGIN_PAIR_FAILURE_LIMIT):
        server = attempt % 2
        refused = _ok(
            attacker.post(
                server,
                "/accounts/login/",
                {"username": "oscar.other", "password": "wrong"},
                page=page,
            ),
            server,
            f"failed sign-in {attempt + 1}",
        )
        assert WRONG_PASSWORD in refused and TOO_MANY_SIGN_INS not in refused, (
            f"failed sign-in {attempt + 1} on server {server} was not simply refused"
        )
    for server in (0, 1):
        response, body = attacker.post(
            server, "/accounts/login/", {"username": "oscar.other", "password": PASSWORD}, page=page
        )
        assert response.status == 200 and TOO_MANY_SIGN_INS in body.decode(), (
            f"server {server} let the account try again after {LOGIN_PAIR_FAILURE_LIMIT} failures "
            f"split between the servers (status {response.status}): the count is not shared"
        )
    assert "sessionid" not in attacker.cookies


def _verify_rate_limit_counts_both(ports, code):
    """VERIFY_RATE_LIMIT checks from one address, alternating between the servers, are answered;
    the next is refused by both. The limit counts in fixed windows: should a window end between
    the requests (once an hour), the round is made again from a fresh address, in a new window."""
    checker = Browser(ports)
    path = f"/certificates/verify/{code}/"
    for round_number in (1, 2):
        address = f"198.51.100.{round_number}"
        window = int(time.time() // VERIFY_WINDOW_SECONDS)
        statuses = []
        for request in range(VERIFY_RATE_LIMIT + 2):
            response, body = checker.get(request % 2, path, headers={"X-Forwarded-For": address})
            statuses.append(response.status)
            if response.status == 200:
                assert "This certificate is valid" in body.decode()
        if int(time.time() // VERIFY_WINDOW_SECONDS) == window:
            break
    assert statuses == [200] * VERIFY_RATE_LIMIT + [429, 429], (
        f"checks from one address, alternating between the servers: {statuses}"
    )
    # Another address is not held back.
    response, _ = checker.get(1, path, headers={"X-Forwarded-For": "198.51.100.200"})
    assert response.status == 200
