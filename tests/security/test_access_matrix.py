"""Every URL the project serves, requested as every kind of person.

Each row says what each role gets: 200 (the page), LOGIN (sent to sign in), 404 (does not exist
for them, exactly like a missing object) or another status. A URL of ours with no row fails
``test_every_url_has_a_row``: add its row when you add the URL. ``MATRIX`` and ``granted`` are
imported by other security tests, which walk every page a role may open."""

import re
from dataclasses import dataclass, field

import pytest

from django.urls import URLPattern, URLResolver, get_resolver, reverse

PROJECT_APPS = ("lms", "modules", "quizzes", "certificates", "api")
# URL namespaces whose every URL is ours whatever module serves it (django-ninja's own views
# serve the API's operations and schema).
PROJECT_NAMESPACES = ("api_v1",)
ROLES = ("anonymous", "owner", "other_staff", "owner_manager", "other_manager", "author", "auditor")
LOGIN = "login"
# Views of ours that are not pages a role could be refused: sign-in plumbing.
NOT_IN_MATRIX = {"admin_login"}


@dataclass
class Row:
    url: callable  # world -> path
    expect: dict  # role -> expected outcome
    missing: callable = None  # world -> path of the same kind of object that does not exist
    method: str = "get"
    data: dict = field(default_factory=dict)


def everyone(outcome, **overrides):
    return {role: overrides.get(role, outcome) for role in ROLES}


def signed_in(outcome, **overrides):
    return everyone(outcome, **{"anonymous": LOGIN, **overrides})


ONLY_AUDITORS = signed_in(404, auditor=200)
ONLY_MANAGERS = signed_in(404, owner_manager=200, other_manager=200)
# Wagtail's admin turns away anyone without admin access by sending them to its login, which
# sends visitors to the one login and answers 404 to signed-in people (lms.account_views).
ADMIN = "admin login"
# Auditors reach the admin (for the compliance reports) but Wagtail turns them away from content.
ADMIN_REFUSED = "admin refused"
ADMIN_AUTHORS = everyone(ADMIN, author=200, auditor=ADMIN_REFUSED)
ADMIN_REPORTS = everyone(ADMIN, author=200, auditor=200)

MATRIX = {
    "home": Row(lambda w: reverse("home"), signed_in(200)),
    "favicon": Row(lambda w: reverse("favicon"), everyone(302)),
    "login": Row(lambda w: reverse("login"), everyone(302, anonymous=200)),
    "logout": Row(lambda w: reverse("logout"), signed_in(200)),
    # Shows the address the organisation gave; a POST changes nothing (tests/people/test_email_ownership.py).
    "account_email": Row(lambda w: reverse("account_email"), signed_in(200)),
    "mfa_required": Row(lambda w: reverse("mfa_required"), signed_in(200)),
    "team_dashboard": Row(lambda w: reverse("team_dashboard"), ONLY_MANAGERS),
    # The reporting line as a whole: figures only, small numbers suppressed.
    "team_insight": Row(lambda w: reverse("team_insight"), ONLY_MANAGERS),
    "team_member": Row(
        lambda w: reverse("team_member", args=[w["owner"].pk]),
        signed_in(404, owner_manager=200),
        missing=lambda w: reverse("team_member", args=[999999]),
    ),
    "audit_trail": Row(lambda w: reverse("audit_trail"), ONLY_AUDITORS),
    "my_data": Row(lambda w: reverse("my_data"), signed_in(200, author=200, auditor=200)),
    "my_data_download": Row(lambda w: reverse("my_data_download"), signed_in(200)),
    "quizzes:start": Row(lambda w: reverse("quizzes:start", args=[w["quiz"].pk]), signed_in(405)),
    "quizzes:attempt": Row(
        lambda w: reverse("quizzes:attempt", args=[w["attempt"].pk]),
        signed_in(404, owner=200),
        missing=lambda w: reverse("quizzes:attempt", args=[999999]),
    ),
    # An author's preview of a quiz shows its answer key after submitting: those who may edit
    # or review quizzes only (tests/quizzes/test_preview.py, also for the POST).
    "quizzes:preview": Row(
        lambda w: reverse("quizzes:preview", args=[w["quiz"].pk]),
        signed_in(404, author=200),
        missing=lambda w: reverse("quizzes:preview", args=[999999]),
    ),
    "certificates:verify": Row(
        lambda w: reverse("certificates:verify", args=[w["certificate"].code]),
        everyone(200),
        missing=lambda w: reverse("certificates:verify", args=["no-such-code-at-all"]),
    ),
    "certificates:auditor_list": Row(lambda w: reverse("certificates:auditor_list"), ONLY_AUDITORS),
    "certificates:download": Row(
        lambda w: reverse("certificates:download", args=[w["certificate"].serial]),
        signed_in(404, owner=200, auditor=200),
        missing=lambda w: reverse("certificates:download", args=["2000-999999"]),
    ),
    "quizzes:audit_quiz_list": Row(lambda w: reverse("quizzes:audit_quiz_list"), ONLY_AUDITORS),
    "quizzes:audit_quiz_attempts": Row(
        lambda w: reverse("quizzes:audit_quiz_attempts", args=[w["quiz"].pk]),
        ONLY_AUDITORS,
        missing=lambda w: reverse("quizzes:audit_quiz_attempts", args=[999999]),
    ),
    "quizzes:audit_quiz_attempts_csv": Row(
        lambda w: reverse("quizzes:audit_quiz_attempts_csv", args=[w["quiz"].pk]),
        ONLY_AUDITORS,
        missing=lambda w: reverse("quizzes:audit_quiz_attempts_csv", args=[999999]),
    ),
    "quizzes:audit_attempt_csv": Row(
        lambda w: reverse("quizzes:audit_attempt_csv", args=[w["attempt"].pk]),
        ONLY_AUDITORS,
        missing=lambda w: reverse("quizzes:audit_attempt_csv", args=[999999]),
    ),
    "quizzes:audit_attempt_pdf": Row(
        lambda w: reverse("quizzes:audit_attempt_pdf", args=[w["attempt"].pk]),
        ONLY_AUDITORS,
        missing=lambda w: reverse("quizzes:audit_attempt_pdf", args=[999999]),
    ),
    "certificates:check_file": Row(lambda w: reverse("certificates:check_file"), everyone(200)),
    # Open Badges: the holder's (or an auditor's) download; the check page, the issuer, its key
    # set and the status lists are public, as verifiers anywhere must read them.
    "certificates:badge_download": Row(
        lambda w: reverse("certificates:badge_download", args=[w["certificate"].serial]),
        signed_in(404, owner=200, auditor=200),
        missing=lambda w: reverse("certificates:badge_download", args=["2000-999999"]),
    ),
    "certificates:badge_check": Row(lambda w: reverse("certificates:badge_check"), everyone(200)),
    "certificates:badge_issuer": Row(lambda w: reverse("certificates:badge_issuer"), everyone(200)),
    "certificates:badge_jwks": Row(lambda w: reverse("certificates:badge_jwks"), everyone(200)),
    "well_known_jwks": Row(lambda w: reverse("well_known_jwks"), everyone(200)),
    "certificates:badge_status_list": Row(
        lambda w: reverse("certificates:badge_status_list", args=["revocation"]),
        everyone(200),
        missing=lambda w: reverse("certificates:badge_status_list", args=["nosuch"]),
    ),
    "certificates:auditor_export": Row(
        lambda w: reverse("certificates:auditor_export", args=["csv"]), ONLY_AUDITORS
    ),
    "certificates:auditor_zip": Row(lambda w: reverse("certificates:auditor_zip"), ONLY_AUDITORS),
    "certificates:auditor_revoke": Row(
        lambda w: reverse("certificates:auditor_revoke", args=[w["certificate"].serial]),
        ONLY_AUDITORS,
        missing=lambda w: reverse("certificates:auditor_revoke", args=["2000-999999"]),
    ),
    # Compliance reports in the admin: L&D authors and auditors. The HR import: only those given
    # people.import_people (no role has it by default).
    "lms_report_completion": Row(lambda w: reverse("lms_report_completion"), ADMIN_REPORTS),
    "lms_report_completion_results": Row(
        lambda w: reverse("lms_report_completion_results"), ADMIN_REPORTS
    ),
    "lms_report_overdue": Row(lambda w: reverse("lms_report_overdue"), ADMIN_REPORTS),
    "lms_report_overdue_results": Row(
        lambda w: reverse("lms_report_overdue_results"), ADMIN_REPORTS
    ),
    "lms_report_expiring": Row(lambda w: reverse("lms_report_expiring"), ADMIN_REPORTS),
    "lms_report_expiring_results": Row(
        lambda w: reverse("lms_report_expiring_results"), ADMIN_REPORTS
    ),
    # The organisation's insight: compliance by month and the most-missed policy clauses.
    "lms_report_compliance-over-time": Row(
        lambda w: reverse("lms_report_compliance-over-time"), ADMIN_REPORTS
    ),
    "lms_report_compliance-over-time_results": Row(
        lambda w: reverse("lms_report_compliance-over-time_results"), ADMIN_REPORTS
    ),
    "lms_report_most-missed-clauses": Row(
        lambda w: reverse("lms_report_most-missed-clauses"), ADMIN_REPORTS
    ),
    "lms_report_most-missed-clauses_results": Row(
        lambda w: reverse("lms_report_most-missed-clauses_results"), ADMIN_REPORTS
    ),
    # Which module steps and questions cite each clause: authors and auditors, like the others.
    "quizzes_report_clause-coverage": Row(
        lambda w: reverse("quizzes_report_clause-coverage"), ADMIN_REPORTS
    ),
    "quizzes_report_clause-coverage_results": Row(
        lambda w: reverse("quizzes_report_clause-coverage_results"), ADMIN_REPORTS
    ),
    # Tasks that failed for good may quote personal details: administrators only.
    # Item analysis: figures per question for authors and auditors, never for managers.
    "quizzes_report_item-analysis": Row(
        lambda w: reverse("quizzes_report_item-analysis") + f"?quiz={w['quiz'].pk}",
        ADMIN_REPORTS,
    ),
    "quizzes_report_item-analysis_results": Row(
        lambda w: reverse("quizzes_report_item-analysis_results") + f"?quiz={w['quiz'].pk}",
        ADMIN_REPORTS,
    ),
    "lms_report_failed-tasks": Row(
        lambda w: reverse("lms_report_failed-tasks"),
        everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
    ),
    "lms_report_failed-tasks_results": Row(
        lambda w: reverse("lms_report_failed-tasks_results"),
        everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
    ),
    # xAPI statements the LRS does not hold yet: administrators only, like failed tasks.
    "lms_report_xapi-statements": Row(
        lambda w: reverse("lms_report_xapi-statements"),
        everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
    ),
    "lms_report_xapi-statements_results": Row(
        lambda w: reverse("lms_report_xapi-statements_results"),
        everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
    ),
    "lms_people_import": Row(
        lambda w: reverse("lms_people_import"),
        everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
    ),
    # Every page of the site (the catalogue, the module pages) goes through modules.views.page_serve,
    # which caches the routes of module pages: signed-in people only, as Wagtail served them.
    "page_serve": Row(
        lambda w: w["module"].url,
        signed_in(200),
        missing=lambda w: w["module"].url + "no-such-page/",
    ),
    # The clause chooser (modules.choosers): Wagtail offers choosers to everyone with admin
    # access, so auditors can list clauses too. They are the published policy wording that
    # certificates and the verify page already name: nothing of a person or of an answer key.
    "wagtailsnippetchoosers_modules_policyclause:choose": Row(
        lambda w: reverse("wagtailsnippetchoosers_modules_policyclause:choose"), ADMIN_REPORTS
    ),
    "wagtailsnippetchoosers_modules_policyclause:choose_results": Row(
        lambda w: reverse("wagtailsnippetchoosers_modules_policyclause:choose_results"),
        ADMIN_REPORTS,
    ),
    "wagtailsnippetchoosers_modules_policyclause:chosen": Row(
        lambda w: reverse(
            "wagtailsnippetchoosers_modules_policyclause:chosen", args=[w["clause"].pk]
        ),
        ADMIN_REPORTS,
    ),
    # The policy library's admin views (ours, inside Wagtail's admin): L&D authors only.
    "wagtailsnippets_modules_policyclause:list": Row(
        lambda w: reverse("wagtailsnippets_modules_policyclause:list"), ADMIN_AUTHORS
    ),
    "wagtailsnippets_modules_policyclause:list_results": Row(
        lambda w: reverse("wagtailsnippets_modules_policyclause:list_results"), ADMIN_AUTHORS
    ),
    "wagtailsnippets_modules_policyclause:edit": Row(
        lambda w: reverse("wagtailsnippets_modules_policyclause:edit", args=[w["clause"].pk]),
        ADMIN_AUTHORS,
    ),
    "wagtailsnippets_modules_policyclause:revise": Row(
        lambda w: reverse("wagtailsnippets_modules_policyclause:revise", args=[w["clause"].pk]),
        ADMIN_AUTHORS,
    ),
    "wagtailsnippets_modules_policydocument:edit": Row(
        lambda w: reverse(
            "wagtailsnippets_modules_policydocument:edit", args=[w["clause"].document_id]
        ),
        ADMIN_AUTHORS,
    ),
    # Raising a document's version publishes it and every clause at once: administrators only.
    "wagtailsnippets_modules_policydocument:raise_version": Row(
        lambda w: reverse(
            "wagtailsnippets_modules_policydocument:raise_version", args=[w["clause"].document_id]
        ),
        everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
    ),
    # A quiz's screen edits its questions too, answer key and all: L&D authors only.
    "wagtailsnippets_quizzes_quiz:add": Row(
        lambda w: reverse("wagtailsnippets_quizzes_quiz:add") + f"?module={w['module'].pk}",
        ADMIN_AUTHORS,
    ),
    "wagtailsnippets_quizzes_quiz:edit": Row(
        lambda w: reverse("wagtailsnippets_quizzes_quiz:edit", args=[w["quiz"].pk]),
        ADMIN_AUTHORS,
    ),
    # Moodle banks hold the answer key: L&D authors only.
    "quizzes_question_bank": Row(lambda w: reverse("quizzes_question_bank"), ADMIN_AUTHORS),
    "wagtailsnippets_modules_policyclause:citations": Row(
        lambda w: reverse("wagtailsnippets_modules_policyclause:citations", args=[w["clause"].pk]),
        ADMIN_AUTHORS,
    ),
    # Wagtail serves the module pages; they are rows too. Everyone with a learner record may learn
    # (authors and auditors are staff too); a step before starting sends them to the overview.
    # API clients in the admin: administrators only (no role here is one).
    "api_clients": Row(
        lambda w: reverse("api_clients"),
        everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
    ),
    "api_client_revoke": Row(
        lambda w: reverse("api_client_revoke", args=[w["api_client"].pk]),
        everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
        method="post",
    ),
    # The API answers only a client's token, never a signed-in session: every role gets 401.
    # What each token scope opens is tests/security/test_api_access.py, endpoint by endpoint.
    "api_v1:openapi-json": Row(lambda w: reverse("api_v1:openapi-json"), everyone(200)),
    "api_v1:api-root": Row(lambda w: reverse("api_v1:api-root"), everyone(404)),
    "api_v1:statuses": Row(lambda w: reverse("api_v1:statuses"), everyone(401)),
    "api_v1:certificates": Row(lambda w: reverse("api_v1:certificates"), everyone(401)),
    "api_v1:certificate_verify": Row(
        lambda w: reverse("api_v1:certificate_verify", args=[w["certificate"].code]),
        everyone(401),
    ),
    "api_v1:people_sync": Row(
        lambda w: reverse("api_v1:people_sync"), everyone(401), method="post"
    ),
    "module_page": Row(lambda w: w["module"].url, signed_in(200)),
    "module_step": Row(lambda w: w["module"].url + "step/1/", signed_in(302, owner=200)),
}


def granted(*, role, world, method="get"):
    """(name, path) of every row that gives ``role`` the page itself, for tests that walk what a
    role can reach (tests/security/test_answer_key_leak.py)."""
    return [
        (name, row.url(world))
        for name, row in MATRIX.items()
        if row.method == method and row.expect[role] == 200
    ]


def _project_url_names(patterns=None, namespace=None):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _project_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and (
            pattern.callback.__module__.split(".")[0] in PROJECT_APPS
            or (namespace or "").split(":")[0] in PROJECT_NAMESPACES
        ):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_a_row():
    missing = sorted(set(_project_url_names()) - set(MATRIX) - NOT_IN_MATRIX)
    assert missing == [], f"URLs with no row in the access matrix: {missing}"


def _request(client, world, role, row, path):
    if role != "anonymous":
        client.force_login(world["people"][role].user)
    return getattr(client, row.method)(path, row.data)


def _outcome(response):
    if response.status_code == 302 and response.url.startswith(reverse("login")):
        return LOGIN
    if response.status_code == 302 and response.url.startswith(reverse("admin_login")):
        return ADMIN
    if response.status_code == 302 and response.url == reverse("wagtailadmin_home"):
        return ADMIN_REFUSED
    return response.status_code


CELLS = [(name, role) for name, row in MATRIX.items() for role in ROLES]


@pytest.mark.parametrize("name, role", CELLS, ids=[f"{name}-{role}" for name, role in CELLS])
def test_access(client, world, name, role):
    row = MATRIX[name]
    response = _request(client, world, role, row, row.url(world))
    assert _outcome(response) == row.expect[role]


MISSING = [name for name, row in MATRIX.items() if row.missing]


@pytest.mark.parametrize("name", MISSING)
def test_someone_elses_object_and_a_missing_one_look_the_same(client, world, name):
    row = MATRIX[name]
    refused_role = next((role for role in ROLES if row.expect[role] == 404), "anonymous")
    missing = _request(client, world, refused_role, row, row.missing(world))
    assert missing.status_code == 404
    if row.expect[refused_role] == 404:
        refused = _request(client, world, refused_role, row, row.url(world))
        assert refused.status_code == 404
        assert _without_csrf(refused.content) == _without_csrf(missing.content)


def _without_csrf(content):
    # Each response carries its own masked CSRF token; everything else must match.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
