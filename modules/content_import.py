"""Loading the shipped content (policy library, modules, quizzes) from modules/content/*.json.

Idempotent and non-destructive: it creates what is missing and never touches what exists, so
running it again duplicates nothing and never overwrites an L&D author's edits. Each file is
checked and loaded in one transaction: a bad file loads nothing at all, and the error names the
file and the place in it.

Format: policies.json holds {"documents": [{"key", "title", "organisation", "version", ..., "clauses":
[{"reference", "heading", "summary"}]}]}; elsewhere a clause is named "<document key>:<reference>".
Each module-<n>-<slug>.json holds the page fields, "steps" (narrative, policy_extract, decision,
reflection, key_rules) and "quiz" with its "title", "pass_mark", "questions" (created by
quizzes.content_import) and optional settings: "questions_per_attempt" (int), "shuffle_questions",
"shuffle_options", "can_take_without_module" (bools) and "topic_draws" ([{"topic", "count"}]). The
settings are checked against the file's questions (a draw the bank cannot meet loads nothing), and
applied only when the quiz is created: an existing quiz keeps its author's settings."""

import datetime
import json
import logging
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from quizzes.content_checks import cited_clauses, quiz_content_problems
from quizzes.content_import import (
    QUESTION_CREATORS,
    ContentError,
    question_create_from_spec,
    quiz_create_from_spec,
    quiz_settings_parse,
    quiz_settings_problems,
)
from quizzes.models import Question, Quiz

from .blocks import ModuleStepBlock
from .models import ModulePage, PolicyClause, PolicyDocument
from .services import module_index_ensure

logger = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).resolve().parent / "content"


def content_load(*, directory=CONTENT_DIR):
    """Load every content file. Returns a summary of what was created, the questions whose type
    cannot be created yet (by file and key) and the errors of module files that were not loaded.

    A bad policies.json stops everything (the modules cite it); a bad module file is reported and
    the other modules still load."""
    directory = Path(directory)
    summary = {
        "documents": 0,
        "clauses": 0,
        "modules": 0,
        "questions": 0,
        "skipped_questions": {},
        "errors": [],
    }
    policies_file = directory / "policies.json"
    if not policies_file.exists():
        raise ContentError(f"{policies_file} is missing")
    with transaction.atomic(), _errors_named_after(policies_file):
        clauses = _policies_load(data=_read(policies_file), summary=summary)
    index = module_index_ensure()
    for module_file in sorted(directory.glob("module-*.json")):
        file_summary = {"modules": 0, "questions": 0, "skipped_questions": {}}
        try:
            with transaction.atomic(), _errors_named_after(module_file):
                _module_load(
                    data=_read(module_file), index=index, clauses=clauses, summary=file_summary
                )
        except ContentError as error:
            summary["errors"].append(str(error))
            continue
        summary["modules"] += file_summary["modules"]
        summary["questions"] += file_summary["questions"]
        for question_type, keys in file_summary["skipped_questions"].items():
            summary["skipped_questions"].setdefault(question_type, []).extend(
                f"{module_file.name}:{key}" for key in keys
            )
    return summary


class _errors_named_after:
    """Turns any error in a file's content into a ContentError that names the file."""

    def __init__(self, path):
        self.name = Path(path).name

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is None:
            return False
        if isinstance(error, KeyError):
            raise ContentError(f"{self.name}: a required field is missing: {error}") from error
        if isinstance(
            error, (ContentError, ValidationError, TypeError, ValueError, AttributeError)
        ):
            message = (
                "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            )
            if message.startswith(f"{self.name}:"):
                raise ContentError(message) from error
            raise ContentError(f"{self.name}: {message}") from error
        return False


def _read(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ContentError(f"not valid JSON ({error})") from error


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _policies_load(*, data, summary):
    clauses = {}
    keys = set()
    for doc_spec in data["documents"]:
        if doc_spec["key"] in keys:
            raise ContentError(f"document key {doc_spec['key']!r} is used twice")
        keys.add(doc_spec["key"])
        document, created = PolicyDocument.objects.get_or_create(
            organisation=doc_spec["organisation"],
            title=doc_spec["title"],
            version=doc_spec["version"],
            defaults={
                "owner": doc_spec.get("owner", ""),
                "approved_on": _date(doc_spec.get("approved_on")),
                "review_on": _date(doc_spec.get("review_on")),
                "source_url": doc_spec.get("source_url") or "",
            },
        )
        if created:
            document.full_clean()
        summary["documents"] += created
        for clause_spec in doc_spec["clauses"]:
            key = f"{doc_spec['key']}:{clause_spec['reference']}"
            if key in clauses:
                raise ContentError(f"clause {key} is listed twice")
            # The current version of each clause: an author may have published newer ones since.
            clause = (
                PolicyClause.objects.filter(document=document, reference=clause_spec["reference"])
                .order_by("-version")
                .first()
            )
            if clause is None:
                clause = PolicyClause(
                    document=document,
                    reference=clause_spec["reference"],
                    heading=clause_spec["heading"],
                    summary=clause_spec["summary"],
                )
                clause.full_clean()
                clause.save()
                summary["clauses"] += 1
            clauses[key] = clause
    return clauses


def _module_load(*, data, index, clauses, summary):
    def clause_for(key):
        try:
            return clauses[key]
        except KeyError as error:
            raise ContentError(
                f"clause {key} is not in the policy library (policies.json)"
            ) from error

    quiz_spec = data["quiz"]
    settings = quiz_settings_parse(spec=quiz_spec)
    # Settings no bank could meet are named as such before the content check asks for more.
    problems = quiz_settings_problems(settings=settings, questions=quiz_spec["questions"])
    if problems:
        raise ContentError(
            "the quiz's draw settings do not fit its questions: " + " ".join(problems)
        )
    _quiz_checked(quiz_spec=quiz_spec, clauses=clauses)
    page = ModulePage.objects.filter(slug=data["slug"]).first()
    if page is None:
        steps = _steps_checked(
            [_step(number, spec, clause_for) for number, spec in enumerate(data["steps"], start=1)]
        )
        page = ModulePage(
            title=data["title"],
            slug=data["slug"],
            summary=data["summary"],
            learning_outcomes="<ul>"
            + "".join(f"<li>{item}</li>" for item in data["learning_outcomes"])
            + "</ul>",
            estimated_minutes=data["estimated_minutes"],
            validity_months=data["validity_months"],
            base_competence=data["base_competence"],
            steps=json.dumps(steps),
        )
        index.add_child(instance=page)
        page.save_revision().publish()
        summary["modules"] += 1
    # An existing quiz keeps its author's settings; only a new one takes the file's.
    quiz = Quiz.objects.filter(module=page).first() or quiz_create_from_spec(
        spec=quiz_spec, module=page, settings=settings
    )
    existing_keys = set(Question.objects.filter(quiz=quiz).values_list("key", flat=True))
    seen_keys = set()
    for sort_order, spec in enumerate(quiz_spec["questions"]):
        key = spec["key"]
        if key in seen_keys:
            raise ContentError(f"question key {key!r} is used twice")
        seen_keys.add(key)
        try:
            created = _question_load(
                spec=spec,
                quiz=quiz,
                sort_order=sort_order,
                clause_for=clause_for,
                exists=key in existing_keys,
            )
        except (ContentError, KeyError, ValidationError) as error:
            detail = (
                f"a required field is missing: {error}"
                if isinstance(error, KeyError)
                else str(error)
            )
            raise ContentError(f"question {key}: {detail}") from error
        if created is None:
            summary["skipped_questions"].setdefault(spec["type"], []).append(key)
        elif created:
            summary["questions"] += 1
    return page


def _quiz_checked(*, quiz_spec, clauses):
    """A quiz that could be passed without knowing the policy (keys piled in one position, a bank
    too small for a retry to differ, another organisation's rules) loads nothing."""
    organisation_of = {
        key.split(":", 1)[0]: clause.document.organisation for key, clause in clauses.items()
    }
    problems = quiz_content_problems(quiz=quiz_spec, organisation_of=organisation_of)
    if problems:
        raise ContentError("the quiz fails the content check: " + " ".join(problems))


def _question_load(*, spec, quiz, sort_order, clause_for, exists):
    """True when created, False when it was already there, None when its type cannot be created yet."""
    _question_check(spec=spec, clause_for=clause_for)
    if exists:
        return False
    if spec["type"] not in QUESTION_CREATORS:
        return None
    question_create_from_spec(spec=spec, quiz=quiz, sort_order=sort_order, clause_for=clause_for)
    return True


def _question_check(*, spec, clause_for):
    """Checks every shipped question must pass whatever its type: it cites clauses that exist, and
    only clauses of the one policy it names, so that no answer mixes two organisations' rules."""
    cited = list(cited_clauses(spec))
    if not cited:
        raise ContentError("cites no clause")
    policy = spec["policy"]
    for key in cited:
        clause_for(key)
        if key.split(":", 1)[0] != policy:
            raise ContentError(
                f"asks about {policy} but cites {key}; a question keeps to one policy"
            )


def _steps_checked(raw_steps):
    """Runs the same validation as the page editor (2-5 choices, exactly one policy-correct, branches
    only forward to a decision that exists), so the loader can never create a module the admin
    would refuse to save."""
    block = ModuleStepBlock()
    try:
        block.clean(block.to_python(raw_steps))
    except ValidationError as error:
        raise ContentError("; ".join(_block_error_messages(error, raw_steps))) from error
    return raw_steps


def _block_error_messages(error, raw_steps, where=""):
    """Flattens Wagtail's nested block errors into 'step 3 (decision "d1"), choices, item 2, branch_to: ...'."""
    messages = [
        f"{where}: {message}" if where else message
        for message in getattr(error, "non_block_errors", [])
    ]
    block_errors = getattr(error, "block_errors", None)
    if block_errors is None:
        return messages or [
            f"{where}: {message}" if where else message for message in error.messages
        ]
    for name, child in block_errors.items():
        if not where:
            step = raw_steps[name]
            label = step["value"].get("key") or step["value"].get("heading") or ""
            child_where = f"step {name + 1} ({step['type']} “{label}”)"
        elif isinstance(name, int):
            child_where = f"{where}, item {name + 1}"
        else:
            child_where = f"{where}, {name}"
        messages += _block_error_messages(child, raw_steps, child_where)
    return messages


def _step(number, spec, clause_for):
    try:
        return _step_data(spec, clause_for)
    except KeyError as error:
        raise ContentError(f"step {number}: a required field is missing: {error}") from error
    except ContentError as error:
        raise ContentError(f"step {number}: {error}") from error


def _step_data(spec, clause_for):
    kind = spec.get("type")
    if kind == "narrative":
        value = {
            "heading": spec["heading"],
            "body": spec["body_html"],
            "image": None,
            "image_alt": "",
        }
    elif kind == "policy_extract":
        value = {"clause": clause_for(spec["clause"]).pk, "commentary": spec.get("commentary", "")}
    elif kind == "decision":
        value = {
            "key": spec["key"],
            "heading": spec["heading"],
            "situation": spec["situation_html"],
            "choices": [
                {
                    "text": choice["text"],
                    "consequence": choice["consequence"],
                    "feedback": choice["feedback"],
                    "clause": clause_for(choice["clause"]).pk,
                    "is_correct": bool(choice["correct"]),
                    "branch_to": choice.get("branch_to") or "",
                }
                for choice in spec["choices"]
            ],
        }
    elif kind == "reflection":
        value = {"heading": spec["heading"], "prompt": spec["prompt"]}
    elif kind == "key_rules":
        value = {
            "heading": spec.get("heading") or "Key rules",
            "rules": [
                {"text": rule["text"], "clause": clause_for(rule["clause"]).pk}
                for rule in spec["rules"]
            ],
        }
    else:
        raise ContentError(f"unknown step type {kind!r}")
    return {"type": kind, "value": value}
