"""Loading the shipped content (policy library, modules, quizzes) from modules/content/*.json:
``manage.py load_content``. The policy library and module pages come from
``modules.content_import``; this module adds each module's quiz and questions.

Idempotent: running it again duplicates nothing and changes nothing. Corrections in the files
reach an existing database: a changed clause becomes a new clause version
(``modules.content_import``), a module whose file's steps have changed gets them as a draft
revision for an author to publish (``modules.content_import.module_steps_update_draft``), and a
question whose file differs from the stored question (words, options, key, feedback, or the
version of a clause it cites) is replaced by a new question of the same key
(``question_update_from_spec``), recorded in the audit trail. Attempts keep the questions exactly as
they were shown (their snapshots), so certificates never rest on an edited row. Each file is
checked and loaded in one transaction: a bad file loads nothing at all, and the error names the
file and the place in it.

A module file's "quiz" holds its "title", "pass_mark", "questions" (each with a "type" of
``quizzes.kinds``, a "policy" and the clauses it cites) and optional settings (``QuizSettings``):
"questions_per_attempt", "shuffle_questions", "shuffle_options", "can_take_without_module",
"max_attempts" and "topic_draws" ([{"topic", "count"}]). The settings are checked against the
file's questions (a draw the bank cannot meet loads nothing), and applied only when the quiz is
created: an existing quiz keeps its author's settings."""

from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from django.core.exceptions import ValidationError as ModelValidationError
from django.db import transaction

from lms.audit import CONTENT_PUBLISHED, audit_record
from modules.content_import import (
    CONTENT_DIR,
    ContentError,
    clause_finder,
    errors_named_after,
    module_page_load,
    module_steps_update_draft,
    policies_load,
    read_json,
)
from modules.models import PolicyClause
from modules.services import content_cache_forget, module_index_ensure

from .content_checks import cited_clauses, quiz_content_problems
from .drawing import BankEntry, draw_problems
from .kinds import KINDS
from .models import (
    Question,
    Quiz,
    TopicDraw,
)
from .selectors import quiz_audience_problems


class TopicDrawSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: StrictStr = Field(min_length=1, max_length=100)
    count: StrictInt = Field(ge=1)


class QuizSettings(BaseModel):
    """The draw and access settings a content file may give its quiz; anything left out takes the
    model's default (shuffled, every question, the module first, no limit of attempts in total)."""

    questions_per_attempt: StrictInt | None = Field(default=None, ge=1)
    shuffle_questions: StrictBool = True
    shuffle_options: StrictBool = True
    topic_draws: list[TopicDrawSpec] = []
    can_take_without_module: StrictBool = False
    max_attempts: StrictInt | None = Field(default=None, ge=1)

    @field_validator("topic_draws")
    @classmethod
    def _topics_once(cls, draws):
        topics = [draw.topic for draw in draws]
        twice = sorted({topic for topic in topics if topics.count(topic) > 1})
        if twice:
            raise ValueError(f"the topic “{twice[0]}” is listed twice")
        return draws


SETTINGS_FIELDS = tuple(QuizSettings.model_fields)


def quiz_settings_parse(*, spec):
    """The quiz settings of a content file's "quiz" object, or ContentError naming the field."""
    try:
        return QuizSettings.model_validate(
            {name: spec[name] for name in SETTINGS_FIELDS if name in spec}
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]
        ).lstrip(".")
        message = first["msg"].removeprefix("Value error, ")
        raise ContentError(f"quiz “{where}”: {message}") from error


def quiz_settings_problems(*, settings, questions):
    """Why the settings cannot be met by the file's own questions (those the loader can create),
    as sentences; empty when they can."""
    bank = [
        BankEntry(id=index, topic=spec.get("topic", ""), critical=bool(spec.get("critical", False)))
        for index, spec in enumerate(questions)
        if spec.get("type") in KINDS
    ]
    return draw_problems(
        bank=bank,
        total=settings.questions_per_attempt,
        per_topic={draw.topic: draw.count for draw in settings.topic_draws},
    )


def quiz_create_from_spec(*, spec, module, settings):
    """A new quiz for the module with the file's title, pass mark and settings."""
    quiz = Quiz.objects.create(
        module=module,
        title=spec["title"],
        pass_mark=spec["pass_mark"],
        **settings.model_dump(exclude={"topic_draws"}),
    )
    TopicDraw.objects.bulk_create(
        TopicDraw(quiz=quiz, topic=draw.topic, count=draw.count, sort_order=index)
        for index, draw in enumerate(settings.topic_draws)
    )
    return quiz


def question_create_from_spec(*, spec, quiz, sort_order, clause_for):
    """A question of the spec's "type" (a ``quizzes.kinds`` name), or ContentError."""
    question_type = spec.get("type") if isinstance(spec, dict) else None
    if question_type not in KINDS:
        raise ContentError(
            f"question {spec.get('key', '?') if isinstance(spec, dict) else '?'}: unknown "
            f"question type “{question_type}” (known: {', '.join(sorted(KINDS))})"
        )
    return KINDS[question_type].create(
        spec=spec, quiz=quiz, sort_order=sort_order, clause_for=clause_for
    )


def question_update_from_spec(*, spec, question, clause_for, current_clauses):
    """The question of ``spec``'s key brought into line with the file: itself when nothing differs,
    otherwise a new question (the file's type, words, options, key and feedback, citing the
    current clause versions) that takes the old one's key and place, and the old row goes.
    Returns (question, replaced?).

    It differs when what a learner sees or is scored on differs, or when it cites an older version
    of a clause whose current version is the file's (a correction the loader itself published).
    A clause an author has revised past the file's text does not move it: authors move their
    citations on themselves (``modules.selectors.policy_clause_citations``).

    Replaced, not edited in place: the kind may have changed (an ordering question became a
    multiple-response one), and the attempts that showed the old one hold its snapshot, so
    their evidence and certificates do not move."""
    key = question.key
    with transaction.atomic():
        savepoint = transaction.savepoint()
        fresh = question_create_from_spec(
            spec={**spec, "key": f"{key}~"[:50]},
            quiz=question.quiz,
            sort_order=question.sort_order,
            clause_for=clause_for,
        )
        before, after = question.snapshot(), fresh.snapshot()
        if _comparable(before) == _comparable(after) and not _cites_superseded_file_clause(
            question=question, current_clauses=current_clauses
        ):
            transaction.savepoint_rollback(savepoint)
            return question, False
        transaction.savepoint_commit(savepoint)
        question.delete()
        fresh.key = key
        fresh.save(update_fields=["key"])
        audit_record(
            action=CONTENT_PUBLISHED,
            target=fresh,
            data={"key": key, "replaced_version": before["version"], "version": after["version"]},
            summary=f"Question {key} of “{fresh.quiz}” replaced by the content file's version "
            f"({before['version']} → {after['version']})",
        )
    return fresh, True


def _comparable(snapshot):
    """A snapshot as content: without row ids and times, and naming each clause by document and
    reference only (which version it cites is decided by ``_cites_superseded_file_clause``)."""
    if isinstance(snapshot, dict):
        if "reference" in snapshot:
            return (snapshot["document"], snapshot["reference"])
        return {
            name: _comparable(value)
            for name, value in snapshot.items()
            if name not in {"id", "version", "updated_at"}
        }
    if isinstance(snapshot, list):
        return [_comparable(item) for item in snapshot]
    return snapshot


def _cites_superseded_file_clause(*, question, current_clauses):
    """True when the question cites an older version of a clause whose current version says what
    the content file says."""
    current = {
        (clause.document_id, clause.reference): clause
        for clause in current_clauses
        if getattr(clause, "says_what_the_file_says", False)
    }
    cited_ids = set(question.options.values_list("clause_id", flat=True))
    if getattr(question, "clause_id", None):
        cited_ids.add(question.clause_id)
    return any(
        (clause.document_id, clause.reference) in current
        and current[(clause.document_id, clause.reference)].pk != clause.pk
        for clause in PolicyClause.objects.filter(pk__in=cited_ids)
    )


def content_load(*, directory=CONTENT_DIR):
    """Load every content file. Returns what was created and the errors of module files that were
    not loaded. A bad policies.json stops everything (the modules cite it); a bad module file is
    reported and the other modules still load."""
    directory = Path(directory)
    clauses, summary = policies_load(directory=directory)
    summary.update(
        modules=0, module_drafts=0, questions=0, questions_replaced=0, errors=[], warnings=[]
    )
    index = module_index_ensure()
    for module_file in sorted(directory.glob("module-*.json")):
        try:
            with transaction.atomic(), errors_named_after(module_file):
                created_page, drafted_page, created_questions, replaced, warnings = (
                    _module_file_load(data=read_json(module_file), index=index, clauses=clauses)
                )
        except ContentError as error:
            summary["errors"].append(str(error))
            continue
        summary["modules"] += created_page
        summary["module_drafts"] += drafted_page
        summary["questions"] += created_questions
        summary["questions_replaced"] += replaced
        summary["warnings"] += [f"{module_file.name}: {warning}" for warning in warnings]
    content_cache_forget()  # what learners are shown of modules and quizzes may have changed
    return summary


def _module_file_load(*, data, index, clauses):
    """The page and its quiz, checked first. Returns (page created?, page's changed steps saved as
    a draft?, questions created)."""
    clause_for = clause_finder(clauses)
    quiz_spec = data["quiz"]
    settings = quiz_settings_parse(spec=quiz_spec)
    # Settings no bank could meet are named as such before the content check asks for more.
    problems = quiz_settings_problems(settings=settings, questions=quiz_spec["questions"])
    if problems:
        raise ContentError(
            "the quiz's draw settings do not fit its questions: " + " ".join(problems)
        )
    # A clause the library lacks is named as such by the question's own check, not as untaught.
    unknown = set(cited_clauses(quiz_spec)) - clauses.keys()
    _quiz_checked(
        quiz_spec=quiz_spec, clauses=clauses, taught=set(cited_clauses(data["steps"])) | unknown
    )
    page, page_created = module_page_load(data=data, index=index, clause_for=clause_for)
    page_drafted = not page_created and module_steps_update_draft(
        page=page, data=data, clause_for=clause_for
    )
    # An existing quiz keeps its author's settings; only a new one takes the file's.
    quiz = Quiz.objects.filter(module=page).first() or quiz_create_from_spec(
        spec=quiz_spec, module=page, settings=settings
    )
    existing = {question.key: question for question in Question.objects.filter(quiz=quiz)}
    seen_keys, created, replaced = set(), 0, 0
    for sort_order, spec in enumerate(quiz_spec["questions"]):
        key = spec["key"]
        if key in seen_keys:
            raise ContentError(f"question key {key!r} is used twice")
        seen_keys.add(key)
        try:
            _question_check(spec=spec, clause_for=clause_for)
            if key not in existing:
                question_create_from_spec(
                    spec=spec, quiz=quiz, sort_order=sort_order, clause_for=clause_for
                )
                created += 1
            else:
                replaced += question_update_from_spec(
                    spec=spec,
                    question=existing[key],
                    clause_for=clause_for,
                    current_clauses=clauses.values(),
                )[1]
        except (ContentError, KeyError, ModelValidationError) as error:
            detail = (
                f"a required field is missing: {error}"
                if isinstance(error, KeyError)
                else str(error)
            )
            raise ContentError(f"question {key}: {detail}") from error
    warnings = quiz_audience_problems(quiz=quiz)
    return page_created, page_drafted, created, replaced, warnings


def _quiz_checked(*, quiz_spec, clauses, taught):
    """A quiz that could be passed without knowing the policy (keys piled in one position, a bank
    too small for a retry to differ, another organisation's rules) or that asks about a clause
    its module's steps do not teach (``taught``: the clause keys they cite) loads nothing."""
    organisation_of = {
        key.split(":", 1)[0]: clause.document.organisation for key, clause in clauses.items()
    }
    problems = quiz_content_problems(quiz=quiz_spec, organisation_of=organisation_of, taught=taught)
    if problems:
        raise ContentError("the quiz fails the content check: " + " ".join(problems))


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
