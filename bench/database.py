"""Which database the benchmark runs on: PostgreSQL when the server answers, else SQLite.

Called before Django is set up, because DATABASE_URL decides Django's settings."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lms_bench"


def database_choose(*, var_dir):
    """Return (DATABASE_URL, description). Creates the PostgreSQL database if it is missing."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if url.startswith("postgres"):
        problem = _postgres_ensure(url)
        if problem is None:
            return url, f"PostgreSQL ({urlsplit(url).path.lstrip('/')})"
        fallback = Path(var_dir) / "bench.sqlite3"
        return f"sqlite:///{fallback}", f"SQLite ({fallback}; PostgreSQL unreachable: {problem})"
    return url, f"SQLite ({url})"


def _postgres_ensure(url):
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=3) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None
