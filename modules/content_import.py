"""Loading the shipped content (policy library, modules, quizzes) from modules/content/*.json.

Idempotent and non-destructive: it creates what is missing and never touches what exists, so
running it again duplicates nothing and never overwrites an L&D author's edits. Each file is
loaded in one transaction: a bad file leaves nothing half-loaded."""

import datetime
import json
import logging
from pathlib import Path

from django.db import transaction

from quizzes.content_import import ContentError, question_create_from_spec
from quizzes.models import Question, Quiz

from .models import ModulePage, PolicyClause, PolicyDocument
from .services import module_index_ensure

logger = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).resolve().parent / "content"


def content_load(*, directory=CONTENT_DIR):
    """Load every content file. Returns a summary of what was created and what was skipped."""
    directory = Path(directory)
    summary = {"documents": 0, "clauses": 0, "modules": 0, "questions": 0, "skipped_questions": {}}
    policies_file = directory / "policies.json"
    if not policies_file.exists():
        raise ContentError(f"{policies_file} is missing")
    with transaction.atomic():
        clauses = _policies_load(data=_read(policies_file), summary=summary)
    index = module_index_ensure()
    for module_file in sorted(directory.glob("module-*.json")):
        with transaction.atomic():
            _module_load(data=_read(module_file), index=index, clauses=clauses, summary=summary)
    return summary


def _read(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ContentError(f"{path.name}: not valid JSON ({error})") from error


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _policies_load(*, data, summary):
    clauses = {}
    for doc_spec in data["documents"]:
        document, created = PolicyDocument.objects.get_or_create(
            organisation=doc_spec["organisation"],
            title=doc_spec["title"],
            version=doc_spec["version"],
            defaults={
                "owner": doc_spec.get("owner", ""),
                "approved_on": _date(doc_spec.get("approved_on")),
                "review_on": _date(doc_spec.get("review_on")),
                "source_url": doc_spec.get("source_url", ""),
            },
        )
        summary["documents"] += created
        for clause_spec in doc_spec["clauses"]:
            # The current version of each clause: an author may have published newer ones since.
            clause = (
                PolicyClause.objects.filter(document=document, reference=clause_spec["reference"])
                .order_by("-version")
                .first()
            )
            if clause is None:
                clause = PolicyClause.objects.create(
                    document=document,
                    reference=clause_spec["reference"],
                    heading=clause_spec["heading"],
                    summary=clause_spec["summary"],
                )
                summary["clauses"] += 1
            clauses[f"{doc_spec['key']}:{clause_spec['reference']}"] = clause
    return clauses


def _module_load(*, data, index, clauses, summary):
    def clause_for(key):
        try:
            return clauses[key]
        except KeyError as error:
            raise ContentError(f"{data['slug']}: clause {key} is not in the policy library") from error

    page = ModulePage.objects.filter(slug=data["slug"]).first()
    if page is None:
        page = index.add_child(
            instance=ModulePage(
                title=data["title"],
                slug=data["slug"],
                summary=data["summary"],
                learning_outcomes="<ul>" + "".join(f"<li>{item}</li>" for item in data["learning_outcomes"]) + "</ul>",
                estimated_minutes=data["estimated_minutes"],
                validity_months=data["validity_months"],
                base_competence=data["base_competence"],
                steps=json.dumps([_step(spec, clause_for) for spec in data["steps"]]),
            )
        )
        page.save_revision().publish()
        summary["modules"] += 1
    quiz_spec = data["quiz"]
    quiz, _ = Quiz.objects.get_or_create(
        module=page, defaults={"title": quiz_spec["title"], "pass_mark": quiz_spec["pass_mark"]}
    )
    existing_keys = set(Question.objects.filter(quiz=quiz).values_list("key", flat=True))
    for sort_order, spec in enumerate(quiz_spec["questions"]):
        if spec["key"] in existing_keys:
            continue
        if question_create_from_spec(spec=spec, quiz=quiz, sort_order=sort_order, clause_for=clause_for):
            summary["questions"] += 1
        else:
            summary["skipped_questions"][spec["type"]] = summary["skipped_questions"].get(spec["type"], 0) + 1
    return page


def _step(spec, clause_for):
    kind = spec["type"]
    if kind == "narrative":
        value = {"heading": spec["heading"], "body": spec["body_html"], "image": None, "image_alt": ""}
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
            "heading": spec.get("heading", "Key rules"),
            "rules": [{"text": rule["text"], "clause": clause_for(rule["clause"]).pk} for rule in spec["rules"]],
        }
    else:
        raise ContentError(f"unknown step type {kind!r}")
    return {"type": kind, "value": value}
