"""A real learning record store for the xAPI tests: Ralph (ralph-malph) with its file-system
backend, in its own virtual environment (scripts/ralph-venv.sh, from requirements-ralph.lock),
served by uvicorn (tests/ralph_server.py) on a free port of 127.0.0.1 and stopped afterwards.

Its dependencies (FastAPI, pydantic, uvicorn...) never enter our .venv: it runs as a separate
process from its own interpreter, and the tests talk to it over HTTP like the platform does."""

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
# The Makefile exports RALPH_VENV relative to the project; the server runs in a test's own folder.
RALPH_VENV = ROOT / os.environ.get("RALPH_VENV", "var/ralph-venv")
INSTALL_SCRIPT = ROOT / "scripts" / "ralph-venv.sh"
LAUNCHER = Path(__file__).resolve().parent / "ralph_server.py"
USERNAME = "lms"
PASSWORD = "lrs-test-password"
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}
READY_WITHIN_SECONDS = 60


class RalphUnavailable(Exception):
    """Ralph is not installed and could not be (no network): the tests skip, saying so."""


def ralph_python():
    """The Ralph virtual environment's interpreter, installing it first if need be."""
    python = RALPH_VENV / "bin" / "python"
    installed = (RALPH_VENV / ".installed-from-lock").is_file()
    if not (python.is_file() and installed):
        try:
            subprocess.run(
                ["bash", str(INSTALL_SCRIPT), str(RALPH_VENV)],  # noqa: S607 (bash from PATH)
                check=True,
                capture_output=True,
                text=True,
                timeout=600,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            output = (getattr(error, "stderr", "") or "").strip().splitlines()[-3:]
            raise RalphUnavailable(
                f"Ralph (the LRS of requirements-ralph.lock) could not be installed into "
                f"{RALPH_VENV}, so the xAPI LRS tests cannot run: {' '.join(output) or error}"
            ) from error
    return python


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Ralph:
    """One Ralph server. ``stop()`` and ``start()`` again keep its statements and its port, so
    that a test can take the LRS down and bring the same one back."""

    def __init__(self, *, python, directory):
        self.python = python
        self.directory = Path(directory)
        self.port = free_port()
        self.process = None
        (self.directory / "data").mkdir(parents=True, exist_ok=True)
        (self.directory / "app").mkdir(exist_ok=True)
        self._auth_file_write()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def _auth_file_write(self):
        """Ralph's HTTP Basic users: one, allowed everything. Written with Ralph's own bcrypt."""
        script = (
            "import bcrypt, json, sys; "
            "print(json.dumps([{'username': sys.argv[1], "
            "'hash': bcrypt.hashpw(sys.argv[2].encode(), bcrypt.gensalt(4)).decode(), "
            "'scopes': ['all'], "
            "'agent': {'mbox': 'mailto:lms@example.org', 'objectType': 'Agent'}}]))"
        )
        users = subprocess.run(
            [str(self.python), "-c", script, USERNAME, PASSWORD],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (self.directory / "auth.json").write_text(users)

    def _environment(self):
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.directory),
            "RALPH_APP_DIR": str(self.directory / "app"),
            "RALPH_AUTH_FILE": str(self.directory / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.directory / "data"),
        }

    def start(self):
        self.log = open(self.directory / "ralph.log", "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [str(self.python), str(LAUNCHER), str(self.port)],
            env=self._environment(),
            cwd=self.directory,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self):
        """Poll the heartbeat until it answers: no fixed sleep, a deadline only for a server
        that never comes up (whose log is then shown)."""
        deadline = time.monotonic() + READY_WITHIN_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(self._url("__heartbeat__"), timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(
            f"Ralph did not start on port {self.port}:\n"
            + (self.directory / "ralph.log").read_text(errors="replace")[-3000:]
        )

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def _url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def statements(self):
        """Every statement the LRS holds, following its ``more`` links."""
        found = []
        url = self._url("xAPI/statements?limit=100")
        while url:
            response = requests.get(
                url, auth=(USERNAME, PASSWORD), headers=XAPI_HEADERS, timeout=10
            )
            response.raise_for_status()
            body = response.json()
            found.extend(body["statements"])
            more = body.get("more")
            url = self._url(more.lstrip("/")) if more else None
        return found

    def statements_file(self):
        """The raw file-system store, one JSON statement a line: what the backend really wrote."""
        path = self.directory / "data" / "fs_lrs.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
