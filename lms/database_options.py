"""How the service talks to PostgreSQL: read from the environment by the settings."""

from django.core.exceptions import ImproperlyConfigured

DEFAULT_PREPARE_THRESHOLD = "5"


def postgresql_prepare_options(value):
    """The psycopg options for ``DATABASE_PREPARE_THRESHOLD``.

    A number N (default 5): parameters are sent apart from the SQL (server-side binding) and a
    statement a connection has run N times is prepared, so PostgreSQL parses it once and, where a
    generic plan costs no more, plans it once. Planning the same statements again was much of
    a request's database time (a submission's facts refresh: 6 ms planning, 1.2 ms running);
    the learner's pages served 7 to 21 % more requests/s with it (README, *Latest figures*). ``off``: Django's default, the values written into the SQL and nothing prepared,
    for a connection pooler in transaction mode that cannot keep prepared statements (PgBouncer
    before 1.21, or without ``max_prepared_statements``)."""
    value = (value or DEFAULT_PREPARE_THRESHOLD).strip().lower()
    if value == "off":
        return {}
    try:
        threshold = int(value)
    except ValueError:
        threshold = -1
    if threshold < 0:
        raise ImproperlyConfigured(
            f"DATABASE_PREPARE_THRESHOLD must be a whole number of runs (0 or more) or 'off', "
            f"not {value!r}"
        )
    return {"server_side_binding": True, "prepare_threshold": threshold}
