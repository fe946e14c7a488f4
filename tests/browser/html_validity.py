"""The Nu HTML Checker (vnu, from the npm package ``vnu-jar``) run on the HTML each journey page
was served with: every page of the service must have no validation errors.

vnu takes a few seconds to start, so one checker runs as a local web service for the whole session
and each page is sent to it as it is audited (a few milliseconds a page). What is checked is the
document the server sent, not the browser's DOM after the scripts ran: the served HTML is what the
service is responsible for."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("VNU_JAR", ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"))
# Its schema parser recurses deeply: a small thread stack overflows before it serves anything.
JAVA_OPTIONS = ["-Xss8m", "-Dnu.validator.servlet.bind-address=127.0.0.1"]
START_UP_LIMIT_SECONDS = 120
# Message types that make a document invalid; "info" (warnings among them) does not.
ERROR_TYPES = {"error", "non-document-error"}


def checker_unavailable():
    """Why vnu cannot run here, or None."""
    if not VNU_JAR.exists():
        return f"The Nu HTML Checker is not installed at {VNU_JAR}: run `npm ci` (or set VNU_JAR)."
    if shutil.which("java") is None:
        return "Java is not installed: the Nu HTML Checker needs it (`make system-deps`)."
    return None


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class NuHtmlChecker:
    """One vnu web service on a free local port, started by ``start()`` and ended by ``stop()``."""

    def __init__(self, jar=VNU_JAR):
        self.jar = jar
        self.port = _free_port()
        self.process = None
        # Its log goes to a file: a pipe nobody reads would fill up and stall it.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("java"),
                *JAVA_OPTIONS,
                "-cp",
                str(self.jar),
                "nu.validator.servlet.Main",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + START_UP_LIMIT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(
                    "the Nu HTML Checker stopped while starting:\n"
                    + self.log.read().decode(errors="replace")[-2000:]
                )
            try:
                with urllib.request.urlopen(self.url, timeout=5):  # noqa: S310 (local)
                    return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the Nu HTML Checker did not start within {START_UP_LIMIT_SECONDS}s")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def messages(self, html):
        """Everything vnu says about ``html`` (a str): its JSON messages, in document order."""
        request = urllib.request.Request(  # noqa: S310 (local)
            self.url + "?out=json",
            data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (local)
            return json.load(response)["messages"]

    def errors(self, html):
        return [message for message in self.messages(html) if message["type"] in ERROR_TYPES]


def errors_report(url, errors):
    lines = [f"{len(errors)} HTML validation error(s) (Nu HTML Checker) on {url}:"]
    for error in errors:
        where = f"line {error['lastLine']}" if "lastLine" in error else "document"
        lines.append(f"- {where}: {error['message']}")
        if error.get("extract"):
            lines.append(f"    {error['extract']!r}")
    return "\n".join(lines)
