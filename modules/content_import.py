"""Loading the shipped policy library and module pages from modules/content/*.json: the lower
half of ``manage.py load_content`` (``quizzes.content_import.content_load`` loads each file's
quiz with its page, in one transaction).

Idempotent: a second run changes nothing. It creates what is missing; a correction in the files
reaches an existing database as a new version, never as a silent edit of what attempts and
certificates rest on nor as a duplicate:
- a clause whose heading or summary differs from every stored version of it gets a new version
  (``modules.services.policy_clause_revise``, which also marks the certificates resting on the old
  one "recertification due"); a clause that an author has already revised past the file's text
  is left alone. Its location and ``not_assessed_reason`` (where to find it, why nothing tests it)
  do not change what it requires and are updated in place.
- a document's audience is the file's: the shipped files are the source of whom shipped
  documents apply to (an author's own documents are theirs to edit).
- a module whose file's steps have changed gets them as a draft revision
  (``module_steps_update_draft``), for an author to review and publish; live content stays as it is.

Format: policies.json holds {"organisations": [{"key", "name"}], "documents": [{"key", "title",
"short_name" (optional: how authors cite it, e.g. "Cafcass SMP"), "organisation" (the issuer, as the source prints it), "audience" (organisation keys: whose staff
the document applies to), "version", ..., "clauses": [{"reference", "location" (optional: where a
reader finds it when the document does not number it), "heading", "summary",
"not_assessed_reason" (optional: why no step or question needs to cite it)}]}]}; elsewhere a
clause is named "<document key>:<reference>". The organisations and audiences are checked with
pydantic (``PolicyAudienceSpec``): an audience naming an organisation the file does not list
loads nothing.
Each module-<n>-<slug>.json holds the page fields and "steps" (narrative, policy_extract, decision,
reflection, key_rules), and its "quiz" (see quizzes.content_import)."""

import datetime
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictStr, model_validator
from pydantic import ValidationError as SpecError

from django.core.exceptions import ValidationError
from django.db import transaction

from people.services import organisation_ensure

from .blocks import ModuleStepBlock
from .models import ModulePage, PolicyClause, PolicyDocument
from .services import policy_clause_revise

CONTENT_DIR = Path(__file__).resolve().parent / "content"


class ContentError(ValueError):
    """A content file is wrong; the message names the file and the place in it."""


def policies_load(*, directory):
    """The policy library from policies.json, in one transaction; ``{"<document key>:<reference>":
    clause}`` and the counts added. A bad file stops everything: the modules cite it."""
    policies_file = Path(directory) / "policies.json"
    if not policies_file.exists():
        raise ContentError(f"{policies_file} is missing")
    summary = {"documents": 0, "clauses": 0}
    with transaction.atomic(), errors_named_after(policies_file):
        clauses = _policies_load(data=read_json(policies_file), summary=summary)
    return clauses, summary


class OrganisationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: StrictStr = Field(pattern=r"^[a-z0-9-]+$", max_length=50)
    name: StrictStr = Field(min_length=1, max_length=150)


class DocumentAudienceSpec(BaseModel):
    """The part of a document spec that says whom it applies to (the rest is read as before)."""

    model_config = ConfigDict(extra="ignore")

    key: StrictStr
    audience: list[StrictStr] = Field(min_length=1)


class PolicyAudienceSpec(BaseModel):
    model_config = ConfigDict(extra="ignore")

    organisations: list[OrganisationSpec] = Field(min_length=1)
    documents: list[DocumentAudienceSpec]

    @model_validator(mode="after")
    def _audiences_known(self):
        keys = [organisation.key for organisation in self.organisations]
        twice = sorted({key for key in keys if keys.count(key) > 1})
        if twice:
            raise ValueError(f"the organisation “{twice[0]}” is listed twice")
        for document in self.documents:
            unknown = [key for key in document.audience if key not in keys]
            if unknown:
                raise ValueError(
                    f"document “{document.key}” applies to “{unknown[0]}”, which is not in "
                    f"“organisations” (known: {', '.join(keys)})"
                )
        return self


def policy_audience_parse(*, data):
    """The organisations and each document's audience, or ContentError naming the field."""
    try:
        return PolicyAudienceSpec.model_validate(data)
    except SpecError as error:
        first = error.errors()[0]
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]
        ).lstrip(".")
        message = first["msg"].removeprefix("Value error, ")
        raise ContentError(f"“{where}”: {message}" if where else message) from error


def clause_finder(clauses):
    def clause_for(key):
        try:
            return clauses[key]
        except KeyError as error:
            raise ContentError(
                f"clause {key} is not in the policy library (policies.json)"
            ) from error

    return clause_for


class errors_named_after:
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


def read_json(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ContentError(f"not valid JSON ({error})") from error


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _policies_load(*, data, summary):
    audience_spec = policy_audience_parse(data=data)
    organisations = {
        spec.key: organisation_ensure(code=spec.key, name=spec.name)
        for spec in audience_spec.organisations
    }
    audience_of = {spec.key: spec.audience for spec in audience_spec.documents}
    summary.setdefault("clause_versions", 0)
    summary.setdefault("clauses_updated", 0)
    clauses = {}
    keys = set()
    for doc_spec in data["documents"]:
        if doc_spec["key"] in keys:
            raise ContentError(f"document key {doc_spec['key']!r} is used twice")
        keys.add(doc_spec["key"])
        document = _document_already_loaded(doc_spec)
        created = document is None
        if created:
            document = PolicyDocument(
                organisation=doc_spec["organisation"],
                title=doc_spec["title"],
                short_name=doc_spec.get("short_name", ""),
                version=doc_spec["version"],
                owner=doc_spec.get("owner", ""),
                approved_on=_date(doc_spec.get("approved_on")),
                review_on=_date(doc_spec.get("review_on")),
                source_url=doc_spec.get("source_url") or "",
            )
            document.full_clean()
            document.save()
        summary["documents"] += created
        if not document.short_name and doc_spec.get("short_name"):
            # A library loaded before documents had short names gets them; one an author named
            # keeps its name.
            document.short_name = doc_spec["short_name"]
            document.save(update_fields=["short_name"])
        audience = [organisations[key] for key in audience_of[doc_spec["key"]]]
        if set(document.audience.all()) != set(audience):
            document.audience.set(audience)
            document.save(update_fields=["audience"])  # a parental many-to-many is written on save
        for clause_spec in doc_spec["clauses"]:
            key = f"{doc_spec['key']}:{clause_spec['reference']}"
            if key in clauses:
                raise ContentError(f"clause {key} is listed twice")
            clauses[key] = _clause_load(document=document, spec=clause_spec, summary=summary)
    return clauses


def _clause_load(*, document, spec, summary):
    """The current version of the clause the spec describes, created or revised as needed."""
    versions = list(
        PolicyClause.objects.filter(document=document, reference=spec["reference"]).order_by(
            "-version"
        )
    )
    heading, text = spec["heading"].strip(), spec["summary"].strip()
    details = {
        "location": spec.get("location", ""),
        "not_assessed_reason": spec.get("not_assessed_reason", ""),
    }
    if not versions:
        clause = PolicyClause(
            document=document, reference=spec["reference"], heading=heading, summary=text, **details
        )
        clause.full_clean()
        clause.save()
        summary["clauses"] += 1
        clause.says_what_the_file_says = True
        return clause
    # The current version: an author may have published newer ones since the file was written.
    clause = versions[0]
    if not any(
        version.heading.strip() == heading and version.summary.strip() == text
        for version in versions
    ):
        clause = policy_clause_revise(clause=clause, heading=heading, summary=text, user=None)
        summary["clause_versions"] += 1
    changed = [name for name, value in details.items() if getattr(clause, name) != value]
    if changed:
        for name in changed:
            setattr(clause, name, details[name])
        clause.full_clean()
        clause.save(update_fields=changed)
        summary["clauses_updated"] += 1
    # Whether the file's questions and steps should cite this version (quizzes.content_import
    # moves a shipped question onto it), or an author's newer one they have not seen.
    clause.says_what_the_file_says = (clause.heading.strip(), clause.summary.strip()) == (
        heading,
        text,
    )
    return clause


def _document_already_loaded(doc_spec):
    """The library's document for a spec, or None: the same version if it is there, otherwise the newest
    one with the same organisation and title. A corrected version label in the file (say "1.0"
    that the source never printed) must not load the whole document and its clauses a second time
    into a database that already holds them; authors correct what exists in the admin."""
    same_document = PolicyDocument.objects.filter(
        organisation=doc_spec["organisation"], title=doc_spec["title"]
    )
    return (
        same_document.filter(version=doc_spec["version"]).first()
        or same_document.order_by("-pk").first()
    )


def module_page_load(*, data, index, clause_for):
    """The module page a file describes, created and published if its slug is new; an existing
    page is left as its authors made it. Returns (page, created)."""
    page = ModulePage.objects.filter(slug=data["slug"]).first()
    if page is not None:
        return page, False
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
    return page, True


def module_steps_update_draft(*, page, data, clause_for):
    """A new draft revision of an existing page when its file's steps have changed since the
    loader last gave the page steps; True if one was saved. Live content is never touched: an
    author reviews the draft and publishes it. The loader's own revisions are those without a
    user, so an author's published edits are not mistaken for a change in the file, and a page
    with an author's unpublished draft is left alone so that draft stays the one they see."""
    steps = _steps_checked(
        [_step(number, spec, clause_for) for number, spec in enumerate(data["steps"], start=1)]
    )
    last_loaded = page.revisions.filter(user__isnull=True).order_by("-created_at", "-pk").first()
    if last_loaded is None:
        return False
    if _steps_comparable(last_loaded.content.get("steps")) == _steps_comparable(steps):
        return False
    latest = page.latest_revision
    if latest is not None and latest.pk != page.live_revision_id and latest.user_id is not None:
        return False
    page.steps = json.dumps(steps)
    page.save_revision()
    return True


def _steps_comparable(raw_steps):
    """Steps as the page stores them, without the block ids that differ on every save."""
    if isinstance(raw_steps, str):
        raw_steps = json.loads(raw_steps or "[]")
    block = ModulePage._meta.get_field("steps").stream_block
    return _without_ids(block.get_prep_value(block.to_python(raw_steps or [])))


def _without_ids(value):
    if isinstance(value, dict):
        return {name: _without_ids(item) for name, item in value.items() if name != "id"}
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    return value


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
