"""Figures 1 and 6: pages under a load generator (wrk) and 50 simultaneous quiz submissions,
both against gunicorn on loopback, each beside its yardstick from the same server and run.

A page's yardstick is the bare page (bench/urls.py: the session, the signed-in user and
``base.html``, no queries of its own), so that the ratio says what the page itself adds; the
bare page is measured against the bare view (Django returning "ok"), which says what signing in
and the page frame cost."""

import http.client
import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from quizzes.models import Attempt

from .data import attempts_open, cookie_header, session_for, submission_body
from .server import HOST
from .stats import Figure, percentile

LOAD_SCRIPT = Path(__file__).with_name("load.lua")
WRK_THREADS = 1
BARE_VIEW = "bare view"
BARE_PAGE = "bare page"
# requests/s as a fraction of the bare page's: pages that read a little more than the frame
# should stay within half of it; a submission writes, and the dashboard reads a whole line.
GOALS = {
    "module page": 0.5,
    "quiz page": 0.5,
    "quiz submission": 0.3,
    "manager dashboard": 0.3,
}

DRAWN_DASHBOARD = "manager dashboard, drawn"
NOTES = {
    "manager dashboard": (
        "The default view (/team/), kept as drawn (tracking.kept_view): nothing changes below "
        "the manager during the run, so every request after the first shows the kept view."
    ),
    DRAWN_DASHBOARD: (
        "The same page asked as /team/?page=1, which is drawn on every request and never kept: "
        "what the default view costs on the first request after a change, less keeping it."
    ),
}


def wrk_available():
    return shutil.which("wrk") is not None


def _wrk(*, port, requests_file, once, seconds, connections):
    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(LOAD_SCRIPT),
        f"http://{HOST}:{port}",
        "--",
        str(requests_file),
        "once" if once else "cycle",
        str(WRK_THREADS),
    ]
    output = subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
        command,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line.removeprefix("BENCH "))
    result["errors"] = sum(result[key] for key in result if key.startswith("errors_"))
    result["rate"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def _requests_file(path, lines):
    path.write_text("".join("\t".join(fields) + "\n" for fields in lines))
    return path


def pages_measure(*, data, port, work_dir, rounds, seconds, connections, log):
    viewer = session_for(data.viewer.user)
    manager = session_for(data.manager.user)
    reader = session_for(data.submitters[0].user)
    submitter_sessions = {person.pk: session_for(person.user) for person in data.submitters}
    quiz_page_attempt = attempts_open(quiz=data.quiz, people=data.submitters[:1], per_person=1)[0]
    targets = {
        BARE_VIEW: [("GET", "/bench/bare/", "", "")],
        BARE_PAGE: [("GET", "/bench/bare-page/", cookie_header(viewer), "")],
        "module page": [("GET", data.module.url, cookie_header(viewer), "")],
        "quiz page": [
            ("GET", f"/quizzes/attempts/{quiz_page_attempt.pk}/", cookie_header(reader), "")
        ],
        "manager dashboard": [("GET", "/team/", cookie_header(manager), "")],
        DRAWN_DASHBOARD: [("GET", "/team/?page=1", cookie_header(manager), "")],
    }
    files = {
        name: _requests_file(work_dir / f"{name.replace(' ', '-')}.tsv", lines)
        for name, lines in targets.items()
    }
    for requests_file in files.values():  # warm both workers' caches and connections
        _wrk(port=port, requests_file=requests_file, once=False, seconds=1, connections=connections)
    results = {name: [] for name in [*targets, "quiz submission"]}
    exhausted = 0
    for number in range(rounds):
        for name, requests_file in files.items():
            results[name].append(
                _wrk(
                    port=port,
                    requests_file=requests_file,
                    once=False,
                    seconds=seconds,
                    connections=connections,
                )
            )
        # Enough fresh attempts for the fastest rate seen so far, twice over (one run out of them
        # stops wrk's thread early and understates the rate).
        expected_rate = max(
            run["rate"] for name in ("quiz page", "quiz submission") for run in results[name]
        )
        per_person = max(2, int(expected_rate * seconds * 2 / len(data.submitters)) + 1)
        attempts = attempts_open(quiz=data.quiz, people=data.submitters, per_person=per_person)
        lines = [
            (
                "POST",
                f"/quizzes/attempts/{attempt.pk}/",
                cookie_header(submitter_sessions[attempt.person_id]),
                urlencode(
                    submission_body(
                        attempt=attempt, csrf=submitter_sessions[attempt.person_id].csrf
                    )
                ),
            )
            for attempt in _interleaved(attempts)
        ]
        submit_file = _requests_file(work_dir / "quiz-submission.tsv", lines)
        result = _wrk(
            port=port,
            requests_file=submit_file,
            once=True,
            seconds=seconds,
            connections=connections,
        )
        exhausted += result["exhausted_threads"]
        result["submitted"] = Attempt.objects.filter(
            pk__in=[a.pk for a in attempts], submitted_at__isnull=False
        ).count()
        # The clones wrk did not reach: a learner has one open attempt at a quiz, not dozens.
        Attempt.objects.filter(pk__in=[a.pk for a in attempts], submitted_at__isnull=True).delete()
        results["quiz submission"].append(result)
        log(
            f"  pages round {number + 1}/{rounds}: "
            + ", ".join(f"{name} {runs[-1]['rate']:.0f}/s" for name, runs in results.items())
        )
    return _page_figures(results, exhausted=exhausted)


def _interleaved(attempts):
    """Alternate people, so consecutive submissions do not queue on one person's row lock."""
    by_person = {}
    for attempt in attempts:
        by_person.setdefault(attempt.person_id, []).append(attempt)
    columns = list(by_person.values())
    return [
        column[index]
        for index in range(max(map(len, columns)))
        for column in columns
        if index < len(column)
    ]


def _page_figures(results, *, exhausted):
    figures = []
    for name, runs in results.items():
        if name == BARE_VIEW:
            continue
        yardstick = BARE_VIEW if name == BARE_PAGE else BARE_PAGE
        figures += _throughput_figures(
            name,
            runs,
            yardstick=yardstick,
            yardstick_runs=results[yardstick],
            goal=GOALS.get(name),
            exhausted=exhausted if name == "quiz submission" else 0,
        )
    return figures


def _throughput_figures(name, runs, *, yardstick, yardstick_runs, goal, exhausted):
    errors = sum(run["errors"] for run in runs)
    kinds = {key: sum(run[key] for run in runs) for key in runs[0] if key.startswith("errors_")}
    note = f"{errors} errors in wrk's counts. " if errors else ""
    if name in NOTES:
        note += NOTES[name] + " "
    if exhausted:
        note += "wrk ran out of fresh attempts in some rounds (the rate is then understated). "
    throughput = Figure(
        name=f"{name}: requests/s",
        unit="req/s",
        rounds=[run["rate"] for run in runs],
        yardstick=yardstick,
        yardstick_rounds=[run["rate"] for run in yardstick_runs],
        goal=f"ratio >= {goal}" if goal is not None else "",
        note=note.strip(),
        extra={"errors": errors, **kinds},
    )
    if goal is not None:
        throughput.passed = throughput.value >= goal * throughput.yardstick_value
    latencies = [
        Figure(
            name=f"{name}: {label} latency",
            unit="ms",
            rounds=[run[key] / 1000 for run in runs],
            yardstick=yardstick,
            yardstick_rounds=[run[key] / 1000 for run in yardstick_runs],
        )
        for label, key in (("p50", "p50_us"), ("p95", "p95_us"))
    ]
    return [throughput, *latencies]


def concurrency_measure(*, data, port, rounds, simultaneous, log):
    """``simultaneous`` people press Submit at the same moment (a barrier releases the threads);
    the yardstick is the same number of simultaneous views of the module page."""
    sessions = [session_for(person.user) for person in data.submitters[:simultaneous]]
    viewer = cookie_header(session_for(data.viewer.user))
    submit_p95, view_p95, errors_total = [], [], 0
    for number in range(rounds):
        views = _simultaneous(port, [("GET", data.module.url, viewer, None)] * simultaneous)
        attempts = attempts_open(
            quiz=data.quiz, people=data.submitters[:simultaneous], per_person=1
        )
        by_person = {attempt.person_id: attempt for attempt in attempts}
        requests = []
        for person, session in zip(data.submitters[:simultaneous], sessions, strict=True):
            attempt = by_person[person.pk]
            requests.append(
                (
                    "POST",
                    f"/quizzes/attempts/{attempt.pk}/",
                    cookie_header(session),
                    urlencode(submission_body(attempt=attempt, csrf=session.csrf)),
                )
            )
        submits = _simultaneous(port, requests)
        bad = [status for status, _ in submits if status != 302]
        submitted = Attempt.objects.filter(
            pk__in=[a.pk for a in attempts], submitted_at__isnull=False
        ).count()
        errors = len(bad) + (len(attempts) - submitted if not bad else 0)
        errors_total += errors
        submit_p95.append(percentile([seconds for _, seconds in submits], 0.95) * 1000)
        view_p95.append(percentile([seconds for _, seconds in views], 0.95) * 1000)
        log(
            f"  concurrency round {number + 1}/{rounds}: {errors} errors, p95 {submit_p95[-1]:.0f} ms "
            f"(page view p95 {view_p95[-1]:.0f} ms)"
        )
    return [
        Figure(
            name=f"{simultaneous} simultaneous submissions: errors",
            unit="errors",
            rounds=[errors_total],
            yardstick="",
            yardstick_rounds=[],
            goal="0",
            passed=errors_total == 0,
        ),
        Figure(
            name=f"{simultaneous} simultaneous submissions: p95",
            unit="ms",
            rounds=submit_p95,
            yardstick=f"{simultaneous} simultaneous page views p95",
            yardstick_rounds=view_p95,
        ),
    ]


def _simultaneous(port, requests):
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def send(index, method, path, cookie, body):
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        barrier.wait()
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            results[index] = (response.status, time.perf_counter() - started)
        except OSError:
            results[index] = (0, time.perf_counter() - started)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(index, *request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
