"""`make lighthouse`: Lighthouse's best-practices and SEO scores for the demo's pages.

Serves the demo (its own SQLite database under var/lighthouse/, set up with migrate and load_demo,
both idempotent) with `manage.py runserver` on a free local port, audits the public pages and a
member of staff's pages with scripts/lighthouse.mjs (npm's `lighthouse` driving headless Debian
Chromium, CHROME_PATH), prints a table, and writes the scores under "lighthouse" in
bench/results.json. Exits 1 if a page is under the goals: best practices 100, SEO 95.

    .venv/bin/python scripts/lighthouse_audit.py [--output bench/results.json]"""

import argparse
import datetime
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "scripts" / "lighthouse.mjs"
LIGHTHOUSE_PACKAGE = ROOT / "node_modules" / "lighthouse"
DATABASE = ROOT / "var" / "lighthouse" / "db.sqlite3"
RESULTS = ROOT / "bench" / "results.json"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
GOALS = {"best-practices": 1.0, "seo": 0.95}
PUBLIC_PAGES = ["/accounts/login/", "/certificates/verify/", "/accessibility/"]
LEARNER = "sam.staff"
SERVER_START_SECONDS = 120


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def django_set_up(database_url):
    os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings.dev"
    os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())


def learner_pages():
    """A member of staff signed in, part-way through a module and with a quiz open: their session
    cookie and the pages to audit."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.data import module_steps_walk
    from modules.models import ModulePage
    from modules.services import module_progress_start
    from quizzes.models import Quiz
    from quizzes.services import attempt_start

    person = get_user_model().objects.get(username=LEARNER).person
    modules = list(ModulePage.objects.live().order_by("path"))
    started, finished = modules[0], modules[-1]
    module_progress_start(person=person, module=started)
    module_steps_walk(person=person, module=finished)
    attempt = attempt_start(person=person, quiz=Quiz.objects.filter(module=finished).first())
    client = Client()
    client.force_login(person.user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    paths = [
        "/",
        started.url,
        f"{started.url}step/1/",
        f"/quizzes/attempts/{attempt.pk}/",
        "/my-data/",
    ]
    return cookie, paths


def server_start(port, env):
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the demo server stopped while starting")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accessibility/", timeout=5):  # noqa: S310
                return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"the demo server did not answer within {SERVER_START_SECONDS}s")


def lighthouse_run(base_url, paths, *, cookie=None):
    command = [shutil.which("node"), str(RUNNER), base_url, *paths]
    if cookie:
        command += ["--cookie", cookie]
    result = subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"Lighthouse failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def below_goals(page):
    return [category for category, goal in GOALS.items() if page["scores"][category] < goal]


def table(pages):
    lines = [f"{'page':<60} {'best practices':>14} {'SEO':>5}"]
    for page in pages:
        scores = page["scores"]
        mark = "  below the goal" if below_goals(page) else ""
        if not page["url"].endswith(page["path"]):
            mark += f"  (audited after a redirect to {page['url']})"
        lines.append(
            f"{page['audience'] + ' ' + page['path']:<60} "
            f"{round(scores['best-practices'] * 100):>14} {round(scores['seo'] * 100):>5}{mark}"
        )
        for audit in page["failed"]:
            lines.append(f"    {audit['category']}: {audit['id']} ({audit['title']})")
    return "\n".join(lines)


def results_write(output, report):
    existing = json.loads(output.read_text()) if output.exists() else {}
    existing["lighthouse"] = report
    output.write_text(json.dumps(existing, indent=2) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS)
    options = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium is not installed at {CHROMIUM}: run `make system-deps`.")
    if shutil.which("node") is None or not LIGHTHOUSE_PACKAGE.exists():
        raise SystemExit("Lighthouse is not installed: run `npm ci` (package.json lists it).")

    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("LIGHTHOUSE_DATABASE_URL", f"sqlite:///{DATABASE}")
    print(f"Setting up the demo in {database_url} ...", flush=True)
    django_set_up(database_url)
    cookie, staff_paths = learner_pages()

    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.dev"}
    env["DATABASE_URL"] = database_url
    env["SITE_URL"] = f"http://127.0.0.1:{port}"
    server = server_start(port, env)
    try:
        print("Auditing with Lighthouse ...", flush=True)
        public = lighthouse_run(env["SITE_URL"], PUBLIC_PAGES)
        staff = lighthouse_run(env["SITE_URL"], staff_paths, cookie=cookie)
    finally:
        server.terminate()
        server.wait(timeout=30)

    pages = [{**page, "audience": "public"} for page in public["pages"]]
    pages += [{**page, "audience": "staff"} for page in staff["pages"]]
    print(table(pages))
    results_write(
        options.output,
        {
            "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "lighthouse_version": public["lighthouse"],
            "goals": GOALS,
            "pages": [
                {key: page[key] for key in ("audience", "path", "url", "scores", "failed")}
                for page in pages
            ],
        },
    )
    print(f"Written to {options.output} (key: lighthouse).")
    return 1 if any(below_goals(page) for page in pages) else 0


if __name__ == "__main__":
    sys.exit(main())
