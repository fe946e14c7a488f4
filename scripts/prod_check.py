"""Prove a production build works: `make prod-check`.

With lms.settings.production and throwaway values (a generated SECRET_KEY, 127.0.0.1 on a free
port, a fresh PostgreSQL database, temporary static, media and certificate roots) this runs the
release steps of docs/deploy.md as written there, starts gunicorn with deploy/gunicorn.conf.py
behind a pretend TLS proxy (it sends X-Forwarded-Proto: https, as the doc says the proxy does),
and checks what a visitor gets: the sign-in page, the 404 page, a hashed static file, the public
certificate verification pages and a signed-in page, each with the production headers.

It exits non-zero with a message on the first failure, and always stops gunicorn, drops its
database and removes its files. Only the standard library and the project's own packages are used.

    python scripts/prod_check.py [--server postgres://postgres@127.0.0.1:5432/postgres] [--prefix prod_check]
"""

import argparse
import http.client
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
STARTUP_SECONDS = 60
HASHED_STATIC = re.compile(r"/static/frontend/app\.[0-9a-f]{12}\.css")
USERNAME = "prod.check"


class CheckFailed(Exception):
    pass


def release_steps(doc=DEPLOY_DOC):
    """The commands of the "Release steps" block in docs/deploy.md, comments removed."""
    text = Path(doc).read_text()
    match = re.search(r"^## Release steps\n.*?```sh\n(.*?)```", text, re.S | re.M)
    if not match:
        raise CheckFailed(f"{doc} has no ```sh block under '## Release steps'")
    steps = []
    for line in match.group(1).splitlines():
        command = line.split("#", 1)[0].strip()
        if command:
            steps.append(command)
    return steps


def step_command(step):
    """What this check runs for one release step; None for the steps make has already done
    (make prod-check depends on the virtualenv and on `npm ci`). An unknown step fails, so the
    doc and this check cannot drift apart."""
    if step == "pip install -r requirements.lock":
        return None
    if step == "npm ci && npm run build":
        return ["npm", "run", "--silent", "build"]
    words = shlex.split(step)
    if words[:2] == ["python", "manage.py"] and len(words) > 2:
        return [PYTHON, "manage.py", *words[2:]]
    raise CheckFailed(
        f"docs/deploy.md lists a release step this check does not know how to run: {step!r}"
    )


def badge_key_write(path):
    """A throwaway P-256 key for the check: production refuses to start without one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(path)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_connect(server_url, dbname):
    import psycopg

    parts = urlsplit(server_url)
    return psycopg.connect(
        dbname=dbname,
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        autocommit=True,
        connect_timeout=10,
    )


def database_url(server_url, dbname):
    parts = urlsplit(server_url)
    return parts._replace(path=f"/{dbname}", query="").geturl()


def run(command, env, what):
    print(f"-- {what}", end="", flush=True)
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603 (fixed arguments, no shell)
    print(f" ({time.monotonic() - started:.0f}s)", flush=True)
    if result.returncode != 0:
        raise CheckFailed(
            f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result.stdout + result.stderr


class Client:
    """HTTP/1.1 to gunicorn as the TLS proxy would send it, keeping cookies. ``host`` is the
    public host name the proxy passes on (by default the server's own address)."""

    def __init__(self, port, host=None, timeout=30):
        self.port = port
        self.timeout = timeout
        self.host = host or f"127.0.0.1:{port}"
        self.origin = f"https://{self.host}"
        self.cookies = {}

    def request(self, method, path, *, body=None, https=True, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        sent = {"Host": self.host, **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, content


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def check_production_headers(response, what):
    headers = response.headers
    hsts = headers.get("Strict-Transport-Security", "")
    expect(
        re.search(r"max-age=(\d{8,})", hsts) and "includeSubDomains" in hsts,
        f"{what}: no year-long HSTS header with includeSubDomains (got {hsts!r})",
    )
    expect(
        headers.get("X-Content-Type-Options") == "nosniff",
        f"{what}: X-Content-Type-Options is not nosniff",
    )
    expect(
        headers.get("Referrer-Policy") == "same-origin",
        f"{what}: Referrer-Policy is {headers.get('Referrer-Policy')!r}",
    )
    expect(
        headers.get("X-Frame-Options") == "DENY",
        f"{what}: X-Frame-Options is {headers.get('X-Frame-Options')!r}",
    )
    csp = headers.get("Content-Security-Policy", "")
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'self'",
    ):
        expect(
            directive in csp, f"{what}: Content-Security-Policy lacks {directive!r} (got {csp!r})"
        )
    expect("unsafe-inline" not in csp, f"{what}: Content-Security-Policy allows inline code")


def check_secure_cookies(response, what):
    for header in response.headers.get_all("Set-Cookie") or []:
        name = header.split("=", 1)[0]
        attributes = [part.strip().lower() for part in header.split(";")[1:]]
        expect("secure" in attributes, f"{what}: cookie {name} is not Secure")
        expect(
            any(part.startswith("samesite=") for part in attributes),
            f"{what}: cookie {name} has no SameSite",
        )
        if name == "sessionid":
            expect("httponly" in attributes, f"{what}: the session cookie is not HttpOnly")


def check_site(client):
    print("-- HTTP checks", flush=True)
    response, body = client.request("GET", "/accounts/login/", https=False)
    expect(
        response.status in (301, 308)
        and response.headers.get("Location", "").startswith("https://"),
        f"plain HTTP is not redirected to HTTPS (status {response.status})",
    )

    response, body = client.request("GET", "/accounts/login/")
    page = body.decode()
    expect(response.status == 200, f"sign-in page: status {response.status}, expected 200")
    expect("Sign in" in page, "sign-in page: no 'Sign in' on the page")
    check_production_headers(response, "sign-in page")
    check_secure_cookies(response, "sign-in page")

    stylesheet = HASHED_STATIC.search(page)
    expect(
        stylesheet,
        "sign-in page: the stylesheet is not linked under a hashed name (is the manifest used?)",
    )
    response, body = client.request("GET", stylesheet.group(0))
    expect(
        response.status == 200,
        f"static file {stylesheet.group(0)}: status {response.status}, expected 200",
    )
    expect(
        response.headers.get("Content-Type", "").startswith("text/css"),
        f"static file: content type {response.headers.get('Content-Type')!r}",
    )
    cache = response.headers.get("Cache-Control", "")
    expect(
        re.search(r"max-age=(\d{8,})", cache) and "public" in cache and "immutable" in cache,
        f"static file: not cached for long as immutable (Cache-Control {cache!r})",
    )
    expect(len(body) > 1000, "static file: suspiciously small")

    missing = f"/no-such-page-{secrets.token_hex(4)}/"
    response, body = client.request("GET", missing)
    expect(response.status == 404, f"unknown URL: status {response.status}, expected 404")
    expect("Page not found" in body.decode(), "unknown URL: not the product's own 404 page")
    check_production_headers(response, "404 page")

    response, body = client.request("GET", "/certificates/verify/")
    expect(
        response.status == 200, f"certificate check page: status {response.status}, expected 200"
    )
    check_production_headers(response, "certificate check page")
    response, body = client.request("GET", f"/certificates/verify/{secrets.token_hex(8).upper()}/")
    expect(
        response.status == 404,
        f"verify page for an unknown code: status {response.status}, expected 404",
    )
    check_production_headers(response, "verify page")
    expect(
        "no-store" not in response.headers.get("Cache-Control", ""),
        "verify page: public page marked no-store",
    )

    check_signed_in(client)


def check_signed_in(client):
    response, body = client.request("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode())
    expect(token, "sign-in page: no CSRF token in the form")
    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": USERNAME, "password": client.password}
    )
    response, body = client.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": client.origin,
            "Referer": f"{client.origin}/accounts/login/",
        },
    )
    expect(
        response.status == 302,
        f"signing in: status {response.status}, expected a redirect\n{body.decode()[:2000]}",
    )
    check_secure_cookies(response, "signing in")
    expect("sessionid" in client.cookies, "signing in: no session cookie")

    response, body = client.request("GET", "/my-data/")
    expect(
        response.status == 200,
        f"a signed-in page (/my-data/): status {response.status}, expected 200",
    )
    check_production_headers(response, "signed-in page")
    cache = response.headers.get("Cache-Control", "")
    expect(
        "no-store" in cache and "private" in cache,
        f"signed-in page: Cache-Control is {cache!r}, expected no-store, private",
    )

    response, body = client.request("GET", "/my-data/download/")
    expect(
        response.status == 200 and body[:2] == b"PK",
        f"personal data download: status {response.status}, expected a ZIP",
    )
    cache = response.headers.get("Cache-Control", "")
    expect(
        "no-store" in cache,
        f"personal data download: Cache-Control is {cache!r}, expected no-store",
    )


def production_env(*, database_url, workdir, ports):
    """lms.settings.production with throwaway values: a generated SECRET_KEY and badge key, the
    app served on 127.0.0.1 at ``ports`` (behind the pretend TLS proxy), files under ``workdir``.
    Without REDIS_URL the cache is the database's (the caller may add one)."""
    workdir = Path(workdir)
    origins = ",".join(f"https://127.0.0.1:{port}" for port in ports)
    return {
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith(
                ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "AWS_", "XAPI_")
            )
        },
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"https://127.0.0.1:{ports[0]}",
        "CSRF_TRUSTED_ORIGINS": origins,
        "LMS_VAR_DIR": str(workdir / "var"),
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "CERTIFICATE_ROOT": str(workdir / "certificates"),
        "EVIDENCE_ROOT": str(workdir / "evidence"),
        # Nothing is mailed during the check; production only insists that a relay is named.
        "EMAIL_HOST": "127.0.0.1",
        "BADGE_SIGNING_KEY": badge_key_write(workdir / "badge-signing-key.pem"),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }


def gunicorn_start(env, log_path, port, *, startup_seconds=STARTUP_SECONDS):
    """gunicorn with deploy/gunicorn.conf.py (GUNICORN_BIND in ``env`` says where), in its own
    process group, its output in ``log_path``; returned once it accepts connections on ``port``."""
    log = open(log_path, "w")  # noqa: SIM115 - the server writes to it until it stops
    # No control socket: its default path is per user, and other checks may run beside this one.
    server = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "--no-control-socket"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + startup_seconds
    while True:
        if server.poll() is not None:
            raise CheckFailed(
                f"gunicorn exited with {server.returncode}:\n{Path(log_path).read_text()}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if time.monotonic() >= deadline:
                gunicorn_stop(server)
                raise CheckFailed(
                    f"gunicorn did not listen within {startup_seconds}s:\n"
                    f"{Path(log_path).read_text()}"
                ) from None
            time.sleep(0.2)


def gunicorn_stop(server):
    """Stop gunicorn and its workers (its whole process group)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_server = (
        os.environ.get("CI_POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument(
        "--server", default=default_server, help="PostgreSQL URL; only its server is used"
    )
    parser.add_argument(
        "--prefix", default="prod_check", help="prefix of the throwaway database's name"
    )
    args = parser.parse_args(argv)

    # A stop from make (Ctrl-C) or CI (SIGTERM) still runs the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    dbname = f"{args.prefix}_{secrets.token_hex(4)}"
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="prod-check-"))
    env = {
        **production_env(
            database_url=database_url(args.server, dbname), workdir=workdir, ports=[port]
        ),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PROD_CHECK_PASSWORD": secrets.token_urlsafe(24),
    }
    server = None
    created = False
    try:
        print(f"-- creating database {dbname}", flush=True)
        try:
            with postgres_connect(args.server, "postgres") as connection:
                connection.execute(f'CREATE DATABASE "{dbname}"')
        except Exception as error:  # noqa: BLE001 - any failure to reach the server is reported as such
            raise CheckFailed(f"cannot create a database on {args.server}: {error}") from error
        created = True

        for step in release_steps():
            command = step_command(step)
            if command is None:
                print(f"-- {step}: done by make's prerequisites", flush=True)
                continue
            output = run(command, env, step)
            if "check --deploy" in step:
                warnings = [
                    line
                    for line in output.splitlines()
                    if "(security." in line or "(staticfiles." in line
                ]
                expect(not warnings, "check --deploy warns:\n" + "\n".join(warnings))

        account = (
            "import os; from people.services import person_create; "
            f"person_create(username={USERNAME!r}, first_name='Prod', last_name='Check', "
            "email='prod.check@example.org', password=os.environ['PROD_CHECK_PASSWORD'])"
        )
        run(
            [PYTHON, "manage.py", "shell", "-c", account],
            env,
            "an account to sign in with (people.services.person_create)",
        )

        print(f"-- starting gunicorn on 127.0.0.1:{port}", flush=True)
        server = gunicorn_start(env, workdir / "gunicorn.log", port)

        client = Client(port)
        client.password = env["PROD_CHECK_PASSWORD"]
        check_site(client)
        print(
            "prod-check passed: the production build serves its pages with the production headers."
        )
        return 0
    except CheckFailed as failure:
        if server is not None:
            print((workdir / "gunicorn.log").read_text()[-4000:], file=sys.stderr)
        print(f"prod-check FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            gunicorn_stop(server)
        if created:
            with postgres_connect(args.server, "postgres") as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            print(f"-- dropped database {dbname}", flush=True)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
