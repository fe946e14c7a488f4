"""What each kind of person can change, and what each page gives away.

The access matrix (test_access_matrix.py) asks every URL of ours for a page. This file goes
further: it sends the writes that matter (submitting or saving someone else's attempt, revoking a
certificate, importing people, publishing and unpublishing content, adding an e-mail address) as
every kind of person and checks what changed in the database, not only the status code; it asks
the Wagtail and allauth URLs that hold data (the admin's CSV exports, page and clause history,
documents, e-mail management); and it reads every page a person outside the owner's line gets, to
check that none of them shows the owner's name, e-mail, certificate or code."""

import copy
import io
from dataclasses import dataclass, field

import pytest
from allauth.account.models import EmailAddress

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse

from wagtail.documents.models import Document

from certificates.models import Certificate
from modules.models import PolicyClause
from people.models import Person
from quizzes.models import Attempt, Question
from quizzes.selectors import quiz_questions_editor_raw
from quizzes.views import form_token_for
from tests.conftest import rows_shared_by_a_module
from tests.factories import QuizFactory, attempt_begin, module_page_create, single_choice_create
from tests.quizzes.editor_post import question_editor_post
from tests.security.conftest import world_make
from tests.security.test_access_matrix import (
    ADMIN,
    ADMIN_REFUSED,
    MATRIX,
    ROLES,
    _outcome,
    everyone,
    signed_in,
)

# People outside the owner's reporting line, who must never see the owner's records.
OUTSIDERS = ("other_staff", "other_manager")


def _writes_world_make():
    world = world_make()
    owner, clause = world["owner"], world["clause"]
    owner.user.first_name, owner.user.last_name = "Zebedee", "Quartermaine"
    owner.user.save()
    second_module = module_page_create(clause=clause, title="Second module", slug="second-module")
    second_quiz = QuizFactory(module=second_module)
    single_choice_create(quiz=second_quiz, clause=clause, text="Open question?")
    return {
        **world,
        "open_attempt": attempt_begin(person=owner, quiz=second_quiz),
        "document": Document.objects.create(
            title="Internal guidance", file=ContentFile(b"internal", name="guidance.txt")
        ),
    }


@pytest.fixture(scope="module")
def writes_world_shared(django_db_setup, django_db_blocker, tmp_path_factory):
    """The access matrix's world, plus an attempt of the owner's still open, a document and a
    distinctive name for the owner that pages must not show to outsiders: made once for the
    module, as hundreds of cells ask it."""
    # Wagtail serves documents from a local path; the tests' in-memory storage has none.
    documents = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path_factory.mktemp("documents"))},
    }
    with (
        override_settings(STORAGES={**settings.STORAGES, "default": documents}),
        rows_shared_by_a_module(django_db_blocker, make=_writes_world_make) as shared,
    ):
        yield shared


@pytest.fixture
def writes_world(db, writes_world_shared):
    return copy.deepcopy(writes_world_shared)


@dataclass
class Write:
    url: callable  # world -> path
    data: callable  # world -> POST data
    expect: dict  # role -> outcome
    changed: callable  # world -> whether the write took effect
    allowed: tuple = ()  # roles whose write takes effect
    headers: dict = field(default_factory=dict)


def _submit_data(w):
    attempt = w["open_attempt"]
    question = attempt.questions[0]
    return {
        "form_token": form_token_for(attempt),
        "action": "submit",
        f"q-{question['id']}": question["options"][0]["id"],
    }


def _save_data(w):
    return {**_submit_data(w), "action": "save"}


def _people_csv(w):
    content = (
        "employee_number,first_name,last_name,email,team,job_title,line_manager_employee_number,start_date,roles\n"
        "NEW-1,Mallory,Intruder,mallory@example.org,Family court team,Adviser,,2026-01-01,Line managers\n"
    )
    return {"file": io.BytesIO(content.encode())}


def _quiz_editor_data(w):
    """The quiz's settings and questions as they are, plus a new true/false question in its
    editor (the published ones kept: removing one would withdraw it, a change of its own)."""
    quiz = w["quiz"]
    new = {
        "type": "true_false",
        "id": None,
        "value": {
            "text": "Smuggled statement",
            "topic": "",
            "critical": False,
            "explanation": "",
            "answer": "true",
            "feedback_true": "T",
            "feedback_false": "F",
            "clause": w["clause"].pk,
        },
    }
    return {
        "module": quiz.module_id,
        "title": quiz.title,
        "pass_mark": quiz.pass_mark,
        "partial_credit": quiz.partial_credit,
        "attempts_before_cooldown": quiz.attempts_before_cooldown or "",
        "cooldown_hours": quiz.cooldown_hours,
        "grace_seconds": quiz.grace_seconds,
        "review_after_failure": quiz.review_after_failure,
        "review_after_pass": quiz.review_after_pass,
        "topic_draws-TOTAL_FORMS": "0",
        "topic_draws-INITIAL_FORMS": "0",
        "topic_draws-MIN_NUM_FORMS": "0",
        "topic_draws-MAX_NUM_FORMS": "1000",
        **question_editor_post([*quiz_questions_editor_raw(quiz=quiz), new]),
    }


WRITES = {
    "add a question in a quiz's editor": Write(
        url=lambda w: reverse("wagtailsnippets_quizzes_quiz:edit", args=[w["quiz"].pk]),
        data=_quiz_editor_data,
        # A draft for review; removing the questions the form left out is the author's edit too.
        expect=everyone(ADMIN, author=302, auditor=ADMIN_REFUSED),
        changed=lambda w: Question.objects.filter(text="Smuggled statement").exists(),
        allowed=("author",),
    ),
    "submit the owner's open attempt": Write(
        url=lambda w: reverse("quizzes:attempt", args=[w["open_attempt"].pk]),
        data=_submit_data,
        expect=signed_in(404, owner=302),
        changed=lambda w: Attempt.objects.get(pk=w["open_attempt"].pk).submitted_at is not None,
        allowed=("owner",),
    ),
    "save answers into the owner's open attempt": Write(
        url=lambda w: reverse("quizzes:attempt", args=[w["open_attempt"].pk]),
        data=_save_data,
        expect=signed_in(404, owner=200),
        changed=lambda w: bool(Attempt.objects.get(pk=w["open_attempt"].pk).draft),
        allowed=("owner",),
        headers={"accept": "application/json"},
    ),
    "revoke the owner's certificate": Write(
        url=lambda w: reverse("certificates:auditor_revoke", args=[w["certificate"].serial]),
        data=lambda w: {
            "reason": "Issued in error: a test of who may revoke.",
            "category": "issued_in_error",
        },
        expect=signed_in(404, auditor=302),
        changed=lambda w: (
            Certificate.objects.get(pk=w["certificate"].pk).status == Certificate.Status.REVOKED
        ),
        allowed=("auditor",),
    ),
    "import people from an HR file": Write(
        url=lambda w: reverse("lms_people_import"),
        data=_people_csv,
        expect=everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
        changed=lambda w: Person.objects.filter(employee_number="NEW-1").exists(),
    ),
    "publish a new version of a clause": Write(
        url=lambda w: reverse("wagtailsnippets_modules_policyclause:revise", args=[w["clause"].pk]),
        data=lambda w: {
            "change": "change",
            "heading": "Changed heading",
            "summary": "A changed summary of the rule.",
        },
        # An author proposes it (a draft for review); nobody else can even do that.
        expect=everyone(ADMIN, author=302, auditor=ADMIN_REFUSED),
        changed=lambda w: PolicyClause.objects.filter(heading="Changed heading").exists(),
        allowed=("author",),
    ),
    "unpublish a module": Write(
        url=lambda w: reverse("wagtailadmin_pages:unpublish", args=[w["module"].pk]),
        data=lambda w: {},
        # Four eyes: no author takes a module offline alone (administrators only).
        expect=everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
        changed=lambda w: not type(w["module"]).objects.get(pk=w["module"].pk).live,
        allowed=(),
    ),
    "add an e-mail address of one's own choosing": Write(
        url=lambda w: reverse("account_email"),
        data=lambda w: {"email": "takeover@example.org", "action_add": ""},
        expect=None,  # refused for everyone; how (a page or a redirect) is allauth's
        changed=lambda w: EmailAddress.objects.filter(email="takeover@example.org").exists(),
    ),
}

WRITE_CELLS = [(name, role) for name in WRITES for role in ROLES]


@pytest.mark.parametrize(
    "name, role", WRITE_CELLS, ids=[f"{name}-{role}" for name, role in WRITE_CELLS]
)
def test_writes(client, writes_world, name, role, django_capture_on_commit_callbacks):
    write = WRITES[name]
    if role != "anonymous":
        client.force_login(writes_world["people"][role].user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            write.url(writes_world), write.data(writes_world), headers=write.headers
        )
    if write.expect is not None:
        assert _outcome(response) == write.expect[role]
    assert response.status_code < 500
    assert write.changed(writes_world) == (role in write.allowed), (
        f"{role} {'could not' if role in write.allowed else 'could'} {name}"
    )


# Wagtail's and allauth's own URLs that hold data --------------------------------------------

ADMIN_EXPORTS = everyone(ADMIN, author=200, auditor=200)
READS = {
    "admin report export: overdue (CSV)": (
        lambda w: reverse("lms_report_overdue") + "?export=csv",
        ADMIN_EXPORTS,
    ),
    "admin report export: completion (CSV)": (
        lambda w: reverse("lms_report_completion") + "?export=csv",
        ADMIN_EXPORTS,
    ),
    "admin report export: expiring (XLSX)": (
        lambda w: reverse("lms_report_expiring") + "?export=xlsx",
        ADMIN_EXPORTS,
    ),
    "page history": (
        lambda w: reverse("wagtailadmin_pages:history", args=[w["module"].pk]),
        everyone(ADMIN, author=200, auditor=ADMIN_REFUSED),
    ),
    "clause history": (
        lambda w: reverse("wagtailsnippets_modules_policyclause:history", args=[w["clause"].pk]),
        everyone(ADMIN, author=200, auditor=ADMIN_REFUSED),
    ),
    "document": (
        lambda w: reverse("wagtaildocs_serve", args=[w["document"].pk, w["document"].filename]),
        signed_in(200),
    ),
    # Documents are not part of authoring here: nobody but an administrator manages them.
    "admin documents": (
        lambda w: reverse("wagtaildocs:index"),
        everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
    ),
    "admin users": (
        lambda w: reverse("wagtailusers_users:index"),
        everyone(ADMIN, author=ADMIN_REFUSED, auditor=ADMIN_REFUSED),
    ),
    "e-mail addresses": (lambda w: reverse("account_email"), signed_in(200)),
    "password change": (lambda w: reverse("account_change_password"), signed_in(200)),
}
READ_CELLS = [(name, role) for name in READS for role in ROLES]


@pytest.mark.parametrize(
    "name, role", READ_CELLS, ids=[f"{name}-{role}" for name, role in READ_CELLS]
)
def test_wagtail_and_allauth_urls(client, writes_world, name, role):
    url, expect = READS[name]
    if role != "anonymous":
        client.force_login(writes_world["people"][role].user)
    response = client.get(url(writes_world))
    assert _outcome(response) == expect[role]


# What comes back --------------------------------------------------------------------------

# Public by design: whoever holds a certificate's code may see whose it is.
PUBLIC_ABOUT_THE_HOLDER = {"certificates:verify"}


def _owner_markers(w):
    certificate = w["certificate"]
    return {
        "name": "Quartermaine",
        "e-mail": w["owner"].user.email,
        "certificate serial": certificate.serial,
        "verification code": certificate.code,
    }


def _body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


GET_PAGES = [
    name
    for name, row in MATRIX.items()
    if row.method == "get" and name not in PUBLIC_ABOUT_THE_HOLDER
]
OUTSIDER_CELLS = [(name, role) for name in [*GET_PAGES, *READS] for role in OUTSIDERS]


@pytest.mark.parametrize(
    "name, role", OUTSIDER_CELLS, ids=[f"{name}-{role}" for name, role in OUTSIDER_CELLS]
)
def test_no_page_shows_an_outsider_the_owners_records(client, writes_world, name, role):
    client.force_login(writes_world["people"][role].user)
    path = MATRIX[name].url(writes_world) if name in MATRIX else READS[name][0](writes_world)
    response = client.get(path)
    if response.status_code != 200:
        return  # refused: the matrix checks how
    body = _body(response)
    shown = [
        what for what, marker in _owner_markers(writes_world).items() if marker and marker in body
    ]
    assert shown == [], f"{path} shows {role} the owner's {', '.join(shown)}"


def test_the_owner_markers_are_found_where_they_belong(client, writes_world):
    """The outsider check above can fail: the same markers show on the owner's manager's page."""
    client.force_login(writes_world["people"]["owner_manager"].user)
    body = _body(client.get(reverse("team_member", args=[writes_world["owner"].pk])))
    assert "Quartermaine" in body
