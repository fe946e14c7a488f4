"""Reads for quizzes."""

import datetime
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from wagtail.permission_policies import ModelPermissionPolicy

from lms.access import live_content_delete_refusal
from lms.sql import whole_organisation_query
from modules.models import PolicyClause, PolicyDocument, policy_version_label
from modules.selectors import (
    clause_reference_order,
    content_cached,
    module_page_cached,
    module_steps_by_clause,
    module_steps_latest,
    module_taught_clause_keys,
    policy_clauses_superseded,
)
from people.models import Organisation, Person
from people.selectors import home_organisation, person_organisation

from .content_checks import (
    BANK_TO_DRAW_RATIO,
    bank_size_problems,
    key_cue_problems,
    key_position_problems,
    quiz_content_problems,
    untaught_problems,
)
from .drawing import (
    BankEntry,
    bank_without_superseded_citations,
    draw_for_audience,
    draw_problems,
    retry_problems,
)
from .item_analysis import (
    item_statistics,
    response_counts,
    score_sums,
    unpicked_distractors,
)
from .kinds import kind_of
from .kinds.editor import QUESTION_ID_PREFIX, editor_raw, item_prep, pk_from_item_id
from .models import (
    AnsweredQuestion,
    Attempt,
    Option,
    Question,
    Quiz,
    RetryAllowance,
    Review,
    TrueFalseQuestion,
)


def _uncited(*, quiz):
    """Questions of the quiz that do not yet cite a clause for every answer: imported from a
    Moodle bank (``quizzes.question_banks``) and waiting for an author. They are drafts in all
    but name: no attempt draws them until they are cited. A filter, so the draw's query stays one."""
    return Q(
        pk__in=Option.objects.filter(question__quiz=quiz, clause__isnull=True).values("question_id")
    ) | Q(pk__in=TrueFalseQuestion.objects.filter(quiz=quiz, clause__isnull=True).values("pk"))


def quiz_uncited_question_ids(*, quiz):
    return set(Question.objects.filter(_uncited(quiz=quiz), quiz=quiz).values_list("pk", flat=True))


def _withdrawn(*, as_written=False):
    """Question rows withdrawn from their quiz's bank: the one rule every read of the bank uses.
    Published, a withdrawal is on the row (its approved revision set ``withdrawn``); ``as_written``
    (the bank once what is written is approved) also one waiting for review, whose latest
    revision, a draft, withdraws it while learners are still asked the row."""
    withdrawn = Q(withdrawn=True)
    if as_written:
        withdrawn |= Q(has_unpublished_changes=True, latest_revision__content__withdrawn=True)
    return withdrawn


def _asked(*, as_written=False):
    """The question rows of a bank: live and not withdrawn (``as_written``: drafts never published
    count too, and a withdrawal waiting for review already takes its question out)."""
    asked = Q(live=True) | Q(first_published_at__isnull=True) if as_written else Q(live=True)
    return asked & ~_withdrawn(as_written=as_written)


def quiz_bank(*, quiz, as_written=False):
    """The quiz's published questions as the draw sees them, in authored order: every live question
    that cites its clauses (a question still in draft, taken offline or withdrawn, or an uncited
    imported one, is not asked: learners see only what a reviewer approved), each marked when it
    cites a replaced clause version (the draw leaves those out:
    ``bank_without_superseded_citations``).

    ``as_written``: the bank the author is writing, which their checks judge (a new quiz's
    questions are all drafts until the quiz's review approves them): drafts never published count
    too, as in the preview (``quizzes.previews``); questions taken offline still do not, nor do
    withdrawals waiting for review (``_withdrawn``)."""
    superseded = policy_clauses_superseded()
    cites_superseded = Exists(
        Option.objects.filter(question=OuterRef("pk"), clause__in=superseded)
    ) | Exists(TrueFalseQuestion.objects.filter(pk=OuterRef("pk"), clause__in=superseded))
    return [
        BankEntry(id=pk, topic=topic, critical=critical, cites_superseded=stale)
        for pk, topic, critical, stale in Question.objects.filter(
            _asked(as_written=as_written), quiz=quiz
        )
        .exclude(_uncited(quiz=quiz))
        .annotate(cites_superseded=cites_superseded)
        .order_by("sort_order", "id")
        .values_list("pk", "topic", "critical", "cites_superseded")
    ]


def quiz_drawable_bank(*, quiz, as_written=False):
    """What a new attempt at the quiz may draw from (``as_written``: once what is written is
    approved)."""
    return bank_without_superseded_citations(quiz_bank(quiz=quiz, as_written=as_written))


def quiz_questions_applicable(*, quiz, organisation):
    """Ids of the quiz's questions that apply to staff of ``organisation`` (None: nobody's): a
    question applies when every policy document its options cite has the organisation in its
    audience. One that mixes documents is asked only where all of them apply, since its keyed
    answer may rest on any of them."""
    if organisation is None:
        return set()
    elsewhere = PolicyDocument.objects.exclude(audience=organisation)
    # A true/false question cites its clause itself rather than through options.
    return set(
        Question.objects.filter(quiz=quiz)
        .exclude(options__clause__document__in=elsewhere)
        .exclude(truefalsequestion__clause__document__in=elsewhere)
        .values_list("pk", flat=True)
    )


def quiz_draw_for_person(*, quiz, person):
    """The draw settings of the person's attempt at the quiz, cut to the questions whose policy
    applies to them (``quizzes.drawing.draw_for_audience``)."""
    return draw_for_audience(
        bank=quiz_drawable_bank(quiz=quiz),
        applicable_ids=quiz_questions_applicable(
            quiz=quiz, organisation=person_organisation(person=person)
        ),
        total=quiz.questions_per_attempt,
        per_topic=quiz_topic_counts(quiz=quiz),
    )


def quiz_audience_problems(*, quiz, total=..., per_topic=None, as_written=False):
    """For authors: each organisation that a document cited by the quiz applies to, and for which
    no fair attempt can be drawn (too few of the questions apply to it: those learners are refused
    a start), or whose share of the bank is under twice its draw (a retry would ask them the same
    questions: ``quizzes.drawing.retry_problems``), as sentences; empty when every such
    organisation's staff can take the quiz and retry it fairly. Each organisation's share is also
    held to the checks on how right answers are written (``key_cue_problems``)."""
    bank = quiz_drawable_bank(quiz=quiz, as_written=as_written)
    # A withdrawn question's policy no longer needs a fair draw for its staff.
    cited_by = Question.objects.filter(quiz=quiz).exclude(_withdrawn(as_written=as_written))
    documents = PolicyDocument.objects.filter(
        Q(clauses__quiz_options__question__in=cited_by)
        | Q(clauses__in=TrueFalseQuestion.objects.filter(pk__in=cited_by).values("clause"))
    )
    organisations = Organisation.objects.filter(policy_documents__in=documents).distinct()
    problems = []
    option_specs = None  # read once, for the first organisation with a share of its own
    for organisation, draw in quiz_organisation_draws(
        quiz=quiz, organisations=organisations, bank=bank, total=total, per_topic=per_topic
    ):
        if draw.problems:
            problems.append(
                f"Staff of {organisation.name} cannot take this quiz: {' '.join(draw.problems)} "
                "Add questions on the policies that apply to them."
            )
            continue
        if len(draw.bank) == len(bank):
            continue  # nothing narrowed: the whole bank's own checks (bank_size_problems) hold
        retry = retry_problems(bank=draw.bank, total=draw.total, per_topic=draw.per_topic)
        if retry:
            problems.append(
                f"Staff of {organisation.name} would be asked the same questions again on a "
                f"retry, so a retry would test memory of the last attempt: {' '.join(retry)} "
                "Add questions on the policies that apply to them."
            )
        # A cue the whole bank dilutes can still give away the keys of one organisation's share.
        if option_specs is None:
            written = list(
                Question.objects.filter(quiz=quiz).prefetch_related("options__clause__document")
            )
            option_specs = dict(
                zip(
                    [question.pk for question in written],
                    question_check_specs(questions=written)[0],
                    strict=True,
                )
            )
        cues = key_cue_problems(quiz={"questions": [option_specs[entry.id] for entry in draw.bank]})
        if cues:
            problems.append(
                f"Staff of {organisation.name} are asked only the questions on their own "
                f"policies, and among those: {' '.join(cues)}"
            )
    return problems


def quiz_organisation_draws(*, quiz, organisations, bank=None, total=..., per_topic=None):
    """``(organisation, draw)`` for each of ``organisations``: the attempt its staff would be
    drawn (``quizzes.drawing.draw_for_audience``: only the questions on the policies that apply
    to them, and the problems when no fair attempt can be drawn from those). ``bank``: the
    drawable bank already read; the quiz's settings unless ``total`` or ``per_topic`` say
    otherwise."""
    bank = quiz_drawable_bank(quiz=quiz) if bank is None else bank
    total = quiz.questions_per_attempt if total is ... else total
    per_topic = quiz_topic_counts(quiz=quiz) if per_topic is None else per_topic
    for organisation in organisations:
        yield (
            organisation,
            draw_for_audience(
                bank=bank,
                applicable_ids=quiz_questions_applicable(quiz=quiz, organisation=organisation),
                total=total,
                per_topic=per_topic,
            ),
        )


NO_ORGANISATION_MESSAGE = (
    "Your organisation is not recorded here, so we cannot tell which policies apply to you and "
    "no quiz can be drawn for you. Please ask your learning and development team to add it."
)
NOT_FOR_YOUR_ORGANISATION_MESSAGE = (
    "This quiz does not yet have enough questions on the policies that apply to your "
    "organisation, so it cannot be started. Please tell your learning and development team."
)
QUIZ_REFUSALS_KEY = "quizzes:refusals"
NO_QUESTION_APPLIES = "None of its quiz's questions is on a policy that applies to them."


@dataclass(frozen=True)
class QuizRefusals:
    """Whose staff the live quizzes refuse a start, because no fair attempt can be drawn from the
    questions on the policies that apply to them (``attempt_start``, by ``draw_for_audience``)."""

    reasons: dict  # {(module id, organisation id): why, in words for L&D}
    home_organisation_id: int | None  # where people recorded without an organisation belong

    def refuses(self, *, module_id, organisation_id):
        if organisation_id is None:
            organisation_id = self.home_organisation_id
        return (module_id, organisation_id) in self.reasons


def quiz_refusals():
    """The live quizzes' ``QuizRefusals``: those that some organisation's staff can start and
    another's cannot. The same for everyone, so from the shared cache while the content is
    unchanged (``modules.selectors.content_cached``), and kept apart for each home organisation
    (``LMS_HOME_ORGANISATION``, a setting: a deploy that changes it meets the same cache and the
    same content). Adding an organisation in the admin or by loading the content forgets it, as
    any change to the content does; one made in another way is in it once the content next
    changes (until then its staff are still refused at the start, but their dashboards do not
    say so yet)."""
    home = hashlib.blake2b(
        (settings.LMS_HOME_ORGANISATION or "").casefold().encode(), digest_size=8
    ).hexdigest()  # a setting's text would not always make a valid cache key
    return content_cached(key=f"{QUIZ_REFUSALS_KEY}:{home}", compute=_quiz_refusals_compute)


def quiz_refusal_messages(*, quiz):
    """``{organisation id: words}``: the words ``attempt_start`` refuses the staff of each
    organisation that ``quiz`` refuses with, whatever they do; the key None for people recorded
    without an organisation (their organisation is not known when there is no home one)."""
    refusals = quiz_refusals()
    messages = {
        organisation_id: NOT_FOR_YOUR_ORGANISATION_MESSAGE
        for module_id, organisation_id in refusals.reasons
        if module_id == quiz.module_id
    }
    home = refusals.home_organisation_id
    if home is None:
        messages[None] = NO_ORGANISATION_MESSAGE
    elif home in messages:
        messages[None] = messages[home]
    return messages


def _quiz_refusals_compute():
    organisations = list(Organisation.objects.order_by("pk"))
    reasons = {}
    for quiz in Quiz.objects.filter(live=True).order_by("pk"):
        bank = quiz_drawable_bank(quiz=quiz)
        per_topic = quiz_topic_counts(quiz=quiz)
        total = quiz.questions_per_attempt
        if not bank or draw_problems(bank=bank, total=total, per_topic=per_topic):
            # Nobody can start it, whatever their organisation: the quiz is L&D's to mend.
            continue
        draws = quiz_organisation_draws(
            quiz=quiz, organisations=organisations, bank=bank, total=total, per_topic=per_topic
        )
        for organisation, draw in draws:
            if not draw.bank:
                reasons[(quiz.module_id, organisation.pk)] = NO_QUESTION_APPLIES
            elif draw.problems:
                reasons[(quiz.module_id, organisation.pk)] = " ".join(draw.problems)
    home = home_organisation()
    return QuizRefusals(reasons=reasons, home_organisation_id=home.pk if home else None)


def quiz_topic_counts(*, quiz):
    return {draw.topic: draw.count for draw in quiz.topic_draws.all()}


def quiz_draw_problems(*, quiz, total=..., per_topic=None, as_written=False):
    """Why the quiz's draw settings (or the ones given, e.g. from an admin form not yet saved)
    cannot be met by its bank (``as_written``: the bank the author is writing), as sentences;
    empty when they can."""
    bank = quiz_bank(quiz=quiz, as_written=as_written) if quiz.pk else []
    drawable = bank_without_superseded_citations(bank)
    problems = draw_problems(
        bank=drawable,
        total=quiz.questions_per_attempt if total is ... else total,
        per_topic=quiz_topic_counts(quiz=quiz) if per_topic is None else per_topic,
    )
    left_out = len(bank) - len(drawable)
    if problems and left_out:
        problems.append(
            f"{left_out} question{'s' if left_out != 1 else ''} citing a replaced clause version "
            f"{'are' if left_out != 1 else 'is'} left out of draws until moved on to the current "
            "version (the clause's “What cites this version” page)."
        )
    return problems


def quiz_superseded_citation_warnings(*, quiz):
    """What an author must know about questions that cite replaced clause versions: which are left
    out of new draws, any critical rule no longer asked, and whether what is left can still be
    drawn fairly. Sentences; empty when nothing cites a replaced version."""
    bank = quiz_bank(quiz=quiz)
    stale_ids = [entry.id for entry in bank if entry.cites_superseded]
    if not stale_ids:
        return []
    stale = Question.objects.filter(pk__in=stale_ids).order_by("sort_order", "id")
    warnings = [
        f"{len(stale_ids)} of the {len(bank)} questions in “{quiz}” cite a replaced clause "
        "version and are left out of new attempts until they are moved on to the current "
        "version: " + "; ".join(f"“{question}”" for question in stale) + "."
    ]
    critical = [question for question in stale if question.critical]
    if critical:
        warnings.append(
            "Critical rules are not asked until then: "
            + "; ".join(f"“{question}”" for question in critical)
            + "."
        )
    drawable = bank_without_superseded_citations(bank)
    problems = draw_problems(
        bank=drawable, total=quiz.questions_per_attempt, per_topic=quiz_topic_counts(quiz=quiz)
    )
    if problems:
        warnings.append("Nobody can start this quiz until then: " + " ".join(problems))
    elif quiz.questions_per_attempt and len(drawable) < BANK_TO_DRAW_RATIO * (
        quiz.questions_per_attempt
    ):
        warnings.append(
            f"Only {len(drawable)} questions are left to draw {quiz.questions_per_attempt} from, "
            "so a retry would see mostly the same questions."
        )
    return warnings


def quiz_publish_problems(*, module):
    """Why a module that counts towards base competence may not be published yet: it needs a
    published quiz whose published questions pass the content checks (``quizzes.content_checks``)
    and can meet its draw settings. Empty for a module outside base competence."""
    if not module.base_competence:
        return []
    quiz = Quiz.objects.filter(module_id=module.pk).first() if module.pk else None
    if quiz is None or not quiz.live:
        return [
            "A module that counts towards base competence needs a published quiz before it is "
            "published: write its quiz and have it reviewed first, or untick base competence."
        ]
    questions = list(
        Question.objects.filter(_asked(), quiz=quiz)
        .order_by("sort_order", "pk")
        .prefetch_related("options__clause__document")
    )
    spec = {
        "questions": question_check_specs(questions=questions)[0],
        "questions_per_attempt": quiz.questions_per_attempt,
        "topic_draws": [
            {"topic": draw.topic, "count": draw.count} for draw in quiz.topic_draws.all()
        ],
    }
    # The module as it is about to go live must teach what its published quiz asks.
    taught = module_taught_clause_keys(raw_steps=list(module.steps.get_prep_value()))
    problems = [
        *quiz_draw_problems(quiz=quiz),
        *key_position_problems(quiz=spec),
        *key_cue_problems(quiz=spec),
        *bank_size_problems(quiz=spec),
        *untaught_problems(quiz=spec, taught=taught),
    ]
    return [f"Its quiz “{quiz.title}” fails the content checks: {problem}" for problem in problems]


def question_check_specs(*, questions):
    """The questions (with their options, clauses and documents prefetched) as the pure content
    checks read them, in order, and ``{document label: organisation}`` of the documents they
    cite. A question is "about" the document its keyed answer cites; documents are named by their
    short names. One query, for the true/false questions' clauses (their own field, not an
    option's)."""
    true_false_clauses = {
        clause.pk: clause
        for clause in PolicyClause.objects.filter(
            pk__in=[q.clause_id for q in questions if isinstance(q, TrueFalseQuestion)]
        ).select_related("document")
    }
    documents = {}

    def clause_key(clause):
        documents[clause.document.label] = clause.document.organisation
        return f"{clause.document.label}:{clause.reference}"

    specs = []
    for question in questions:
        spec = {
            "key": f"“{Truncator(question.text).chars(60)}”",
            "type": question.question_type,
            "topic": question.topic,
        }
        if isinstance(question, TrueFalseQuestion):
            clause = true_false_clauses.get(question.clause_id)
            spec["feedback_true"] = question.feedback_true
            spec["feedback_false"] = question.feedback_false
            keyed = [clause] if clause else []
            if clause:
                spec["clause"] = clause_key(clause)
        else:
            options = list(question.options.all())
            spec["options"] = [
                {
                    "text": option.text,
                    "correct": option.is_correct,
                    "feedback": option.feedback,
                    **({"clause": clause_key(option.clause)} if option.clause else {}),
                }
                for option in options
            ]
            keyed = [o.clause for o in options if o.clause and o.is_correct] or [
                o.clause for o in options if o.clause
            ]
        if keyed:
            spec["policy"] = keyed[0].document.label
        specs.append(spec)
    return specs, documents


def attempts_shown(*, person, quiz):
    """The question ids each of the person's earlier attempts at this quiz showed, oldest first
    (the history a retry's draw avoids repeating). One query."""
    return [
        [question["id"] for question in questions]
        for questions in Attempt.objects.filter(person=person, quiz=quiz)
        .order_by("started_at", "pk")
        .values_list("questions", flat=True)
    ]


def questions_answered_right(*, person, quiz):
    """Ids of the quiz's questions the person has answered right in any submitted attempt (a
    retry's draw asks these again last: ``quizzes.drawing.questions_draw``). One query.

    Read from the attempts' own results, not from the reports' answered questions: the worker
    writes those after the submission (``quizzes.submitted``), and a retry started at once must
    already count the attempt just submitted."""
    return {
        int(result["question"])
        for results in Attempt.objects.filter(
            person=person, quiz=quiz, submitted_at__isnull=False
        ).values_list("results", flat=True)
        for result in results
        if result["correct"]
    }


def attempt_retry_at(*, person, quiz, now=None):
    """When the person may next start this quiz, or None if they may start now.

    After every ``attempts_before_cooldown`` failed attempts in a row, the person waits
    ``cooldown_hours`` from the last of them. A pass starts the count again."""
    if not quiz.attempts_before_cooldown or not quiz.cooldown_hours:
        return None
    return quiz_standing(person=person, quiz=quiz, now=now).retry_at


@dataclass(frozen=True)
class QuizStanding:
    """Where a person stands with a quiz: whether they have passed it, whether an attempt is open,
    and how many attempts they have left before a cooldown and in total (None: no limit)."""

    passed: bool
    has_open_attempt: bool
    retry_at: datetime.datetime | None
    left_before_cooldown: int | None
    left_in_total: int | None

    @property
    def out_of_attempts(self):
        return self.left_in_total == 0


def quiz_standing(*, person, quiz, now=None):
    """The person's standing with the quiz, in two queries. Attempts submitted before the latest
    retry allowance do not count towards the cooldown or the limit in total."""
    now = now or timezone.now()
    allowance = (
        RetryAllowance.objects.filter(person=person, quiz=quiz).order_by("-granted_at").first()
    )
    passed, has_open, history = False, False, []
    for was_passed, submitted_at in (
        Attempt.objects.filter(person=person, quiz=quiz)
        .order_by("submitted_at", "pk")
        .values_list("passed", "submitted_at")
    ):
        if submitted_at is None:
            has_open = True
            continue
        passed = passed or was_passed
        if allowance is None or submitted_at > allowance.granted_at:
            history.append((was_passed, submitted_at))
    retry_at, failures_in_row = _cooldown_state(history=history, quiz=quiz, now=now)
    left_before_cooldown = None
    if quiz.attempts_before_cooldown and quiz.cooldown_hours:
        left_before_cooldown = 0 if retry_at else quiz.attempts_before_cooldown - failures_in_row
    left_in_total = None
    if quiz.max_attempts:
        failures_since_pass = 0
        for was_passed, _ in history:
            failures_since_pass = 0 if was_passed else failures_since_pass + 1
        left_in_total = max(quiz.max_attempts - failures_since_pass, 0)
    return QuizStanding(
        passed=passed,
        has_open_attempt=has_open,
        retry_at=retry_at,
        left_before_cooldown=left_before_cooldown,
        left_in_total=left_in_total,
    )


def attempts_retry_at(*, person_ids, module_ids, now=None, submitted=None):
    """``attempt_retry_at`` for many people and modules at once, in at most two queries however
    many there are, with the quizzes' settings from ``quiz_cooldowns`` (one query more when the
    shared cache does not hold them): {(person_id, module_id): datetime} for those who must
    still wait.

    ``submitted``, when the caller knows it: {(person_id, module_id): attempts submitted}. A wait
    starts only after as many failures in a row as the quiz allows, so the pairs with fewer
    attempts than that cannot be waiting, and their histories are not read (no query then, when
    none can)."""
    wanted_modules = set(module_ids)
    quizzes = {
        quiz.pk: quiz
        for quiz in quiz_cooldowns()
        if quiz.module_id in wanted_modules
        and quiz.attempts_before_cooldown
        and quiz.cooldown_hours
    }
    if submitted is not None:
        fewest = {}
        for quiz in quizzes.values():
            fewest[quiz.module_id] = min(
                fewest.get(quiz.module_id, quiz.attempts_before_cooldown),
                quiz.attempts_before_cooldown,
            )
        pairs = [
            (person_id, module_id)
            for (person_id, module_id), count in submitted.items()
            if module_id in fewest and count >= fewest[module_id]
        ]
        person_ids = sorted({person_id for person_id, _module_id in pairs})
        modules_left = {module_id for _person_id, module_id in pairs}
        quizzes = {pk: quiz for pk, quiz in quizzes.items() if quiz.module_id in modules_left}
    if not quizzes:
        return {}
    allowed_from = {
        (person_id, quiz_id): granted_at
        for person_id, quiz_id, granted_at in RetryAllowance.objects.filter(
            person_id__in=person_ids, quiz_id__in=quizzes
        )
        .order_by("granted_at")
        .values_list("person_id", "quiz_id", "granted_at")
    }
    histories = defaultdict(list)
    for person_id, quiz_id, passed, submitted_at in (
        Attempt.objects.filter(
            person_id__in=person_ids, quiz_id__in=quizzes, submitted_at__isnull=False
        )
        .order_by("submitted_at", "pk")
        .values_list("person_id", "quiz_id", "passed", "submitted_at")
    ):
        allowed = allowed_from.get((person_id, quiz_id))
        if allowed is None or submitted_at > allowed:
            histories[(person_id, quiz_id)].append((passed, submitted_at))
    now = now or timezone.now()
    waits = {}
    for (person_id, quiz_id), history in histories.items():
        retry_at = retry_at_from_history(history=history, quiz=quizzes[quiz_id], now=now)
        if retry_at is not None:
            waits[(person_id, quizzes[quiz_id].module_id)] = retry_at
    return waits


@dataclass(frozen=True)
class QuizCooldown:
    """What the cooldown rule reads of a quiz (``_cooldown_state``)."""

    pk: int
    module_id: int
    attempts_before_cooldown: int | None
    cooldown_hours: int | None


QUIZ_COOLDOWNS_KEY = "quizzes:cooldowns"


def quiz_cooldowns():
    """Every quiz's cooldown settings, from the shared cache while the content is unchanged
    (``modules.selectors.content_cached``): the dashboards and a person's page show when each
    person may retry, and read the settings once a request that way instead of once a query.
    ``attempt_start`` decides a retry from the quiz itself (``attempt_retry_at``), never from
    this."""

    def compute():
        return [
            QuizCooldown(*row)
            for row in Quiz.objects.order_by("pk").values_list(
                "pk", "module_id", "attempts_before_cooldown", "cooldown_hours"
            )
        ]

    return content_cached(key=QUIZ_COOLDOWNS_KEY, compute=compute)


def retry_at_from_history(*, history, quiz, now):
    """The cooldown rule on a person's (passed, submitted_at) history, oldest first."""
    return _cooldown_state(history=history, quiz=quiz, now=now)[0]


def _cooldown_state(*, history, quiz, now):
    """(when the person may retry or None, failed attempts in a row that count towards the next wait)."""
    if not quiz.attempts_before_cooldown or not quiz.cooldown_hours:
        return None, 0
    cooldown = datetime.timedelta(hours=quiz.cooldown_hours)
    failures, retry_at = 0, None
    for passed, submitted_at in history:
        if passed:
            failures, retry_at = 0, None
            continue
        failures += 1
        if failures >= quiz.attempts_before_cooldown:
            failures, retry_at = 0, submitted_at + cooldown
    if retry_at is not None and retry_at > now:
        return retry_at, failures
    return None, failures


def attempt_for_user(*, user, attempt_id):
    """The signed-in user's own attempt (through their person record), or None: nobody reaches
    someone else's attempt by its id, and an account without a person record has none.

    The attempt alone, in one query; the person is read only if something asks for more than its
    id (a result's standing does). The quiz depends on the attempt. A submitted one's result is
    decided by the quiz's review settings, which are read fresh (a second query). An open one
    carries everything its page and its submission decide by (the questions drawn, the pass mark,
    the deadline), frozen when it started, and needs only the quiz's title and its module, from
    the shared cache (``quiz_for_attempt_pages``): joining the quiz's thirty columns and the
    person's cost the page and the submission more to compile than their queries took. The
    attempt's own query is ours too: the ORM took 0.59 ms to build and read it, this 0.39."""
    if not user.is_authenticated:
        return None
    quote = connection.ops.quote_name
    found = list(
        Attempt.objects.raw(
            f"SELECT a.* FROM {quote(Attempt._meta.db_table)} a "  # noqa: S608  (our table names)
            f"JOIN {quote(Person._meta.db_table)} p ON p.id = a.person_id "
            "WHERE a.id = %s AND p.user_id = %s",
            [int(attempt_id), user.pk],
        )
    )
    if not found:
        return None
    (attempt,) = found
    if attempt.is_submitted:
        attempt.quiz = Quiz.objects.get(pk=attempt.quiz_id)
        attempt.quiz.module = module_page_cached(module_id=attempt.quiz.module_id)
    else:
        attempt.quiz = quiz_for_attempt_pages(quiz_id=attempt.quiz_id)
    return attempt


ATTEMPT_PAGES_QUIZ_KEY = "quizzes:attempt-pages-quiz:{quiz_id}"


def quiz_for_attempt_pages(*, quiz_id):
    """The quiz as an open attempt's page and submission name it (its title) with its module
    (title and URL only; ``module_page_cached``), from the shared cache under the content
    generation, which every change to a quiz bumps (a publish, an approval, the admin, the
    content loader). Not for deciding anything: an open attempt holds the rules it is scored by,
    and what a result is allowed to show is read from the quiz itself. The quiz row holds its
    settings, never a question or an answer."""

    def compute():
        quiz = Quiz.objects.get(pk=quiz_id)
        quiz.module = module_page_cached(module_id=quiz.module_id)
        return quiz

    return content_cached(key=ATTEMPT_PAGES_QUIZ_KEY.format(quiz_id=quiz_id), compute=compute)


def attempt_for_audit(*, attempt_id):
    return (
        Attempt.objects.select_related("quiz__module", "person__user").filter(pk=attempt_id).first()
    )


def quizzes_for_audit():
    """Every quiz with how many attempts it has had and how many passed."""
    return (
        Quiz.objects.select_related("module")
        .annotate(
            attempt_count=Count("attempts"),
            passed_count=Count("attempts", filter=Q(attempts__passed=True)),
        )
        .order_by("title")
    )


def quiz_attempts_for_audit(*, quiz):
    """Every attempt at the quiz, oldest first, for the auditor's list and bulk export."""
    return (
        Attempt.objects.select_related("person__user")
        .filter(quiz=quiz)
        .order_by("started_at", "pk")
    )


FIRST_ATTEMPTS = "first"
LAST_ATTEMPTS = "last"
ALL_ATTEMPTS = "all"
ATTEMPT_BASES = {
    FIRST_ATTEMPTS: "First attempt of each person",
    LAST_ATTEMPTS: "Last attempt of each person",
    ALL_ATTEMPTS: "All attempts",
}


def item_analysis_attempts(*, quiz, basis=FIRST_ATTEMPTS):
    """The submitted attempts at ``quiz`` that item analysis rests on, as plain data (questions,
    results, answers: never who made them), in one query. By default each person's first
    submitted attempt, as Moodle does: later attempts are not independent of the first."""
    if basis not in ATTEMPT_BASES:
        raise ValueError(f"Unknown attempt basis: {basis!r}")
    submitted = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
    if basis != ALL_ATTEMPTS:
        order = ("submitted_at", "pk") if basis == FIRST_ATTEMPTS else ("-submitted_at", "-pk")
        chosen = submitted.filter(person=OuterRef("person")).order_by(*order).values("pk")[:1]
        submitted = submitted.filter(pk=Subquery(chosen))
    return list(submitted.order_by("pk").values("questions", "results", "answers"))


def quiz_item_analysis(*, quiz, basis=FIRST_ATTEMPTS, people=None):
    """The item analysis of ``quiz`` (``quizzes.item_analysis``) over the chosen attempts, the
    same as ``item_analysis(attempts=item_analysis_attempts(...))`` but grouped by the database
    from the submissions' answered questions (``AnsweredQuestion``): one GROUP BY query whatever
    the number of attempts, then one read of the snapshot of each version. ``people`` (a
    queryset) counts only their attempts (and, for first or last, their first or last)."""
    if basis not in ATTEMPT_BASES:
        raise ValueError(f"Unknown attempt basis: {basis!r}")
    chosen_sql, chosen_params = _chosen_attempts_sql(quiz=quiz, basis=basis, people=people)
    groups = _answer_groups(_answer_groups_sql(chosen_sql, chosen_params, quiz=quiz))
    if not groups:
        return []
    # Each version's snapshot from the first attempt that showed it; versions and questions in
    # the order first met, as item_analysis lists them.
    snapshots = {}
    for attempt_questions in Attempt.objects.filter(
        pk__in={group.sample for group in groups.values()}
    ).values_list("questions", flat=True):
        for question in attempt_questions:
            snapshots.setdefault((question["id"], question["version"]), question)
    variants = defaultdict(list)
    for key in sorted(groups, key=lambda key: groups[key].first_met):
        variants[key[0]].append(key)
    rows = []
    for keys in variants.values():
        if len(keys) > 1:
            pairs = defaultdict(int)
            for key in keys:
                for pair, times in groups[key].pairs.items():
                    pairs[pair] += times
            unpicked = [
                set(unpicked_distractors(question=snapshots[key], responses=groups[key].responses))
                for key in keys
            ]
            rows.append(
                item_statistics(
                    question=snapshots[keys[-1]],
                    version=None,
                    sums=score_sums(pairs=pairs, maximum=max(groups[key].maximum for key in keys)),
                    responses=(),
                    unpicked=sorted(set.intersection(*unpicked)),
                )
            )
        for key in keys:
            group = groups[key]
            rows.append(
                item_statistics(
                    question=snapshots[key],
                    version=key[1],
                    sums=score_sums(pairs=group.pairs, maximum=group.maximum),
                    responses=response_counts(question=snapshots[key], responses=group.responses),
                    unpicked=unpicked_distractors(
                        question=snapshots[key], responses=group.responses
                    ),
                )
            )
    return rows


@dataclass
class _AnswerGroup:
    """What the chosen attempts did with one version of a question, as the database grouped it."""

    pairs: dict  # (score, rest of the attempt) in hundredths -> attempts
    responses: list  # (parsed response or None, attempts)
    maximum: Decimal
    sample: int  # the first attempt that showed it
    first_met: int  # where it was first met: attempt id, then position


def _answer_groups(found):
    groups = {}
    for question_id, version, x, rest, response, times, maximum, sample, first_met in found:
        maximum = Decimal(str(maximum))
        group = groups.get((question_id, version))
        if group is None:
            group = groups[(question_id, version)] = _AnswerGroup(
                pairs=defaultdict(int),
                responses=[],
                maximum=maximum,
                sample=sample,
                first_met=first_met,
            )
        else:
            group.maximum = max(group.maximum, maximum)
            group.sample = min(group.sample, sample)
            group.first_met = min(group.first_met, first_met)
        group.pairs[(int(x), int(rest))] += int(times)
        group.responses.append((None if response is None else json.loads(response), int(times)))
    return groups


def quiz_item_people(*, quiz, basis=FIRST_ATTEMPTS, people=None):
    """How many different people the figures of each row of ``quiz_item_analysis`` rest on:
    ``{(question id, version): people}``, and ``(question id, None)`` for a question's versions
    together. For the small-numbers rule (``lms.small_numbers``) of a narrowed report."""
    chosen_sql, chosen_params = _chosen_attempts_sql(quiz=quiz, basis=basis, people=people)
    table = AnsweredQuestion._meta.db_table
    counts = {}
    with connection.cursor() as cursor:
        for version in ("version", "NULL"):
            cursor.execute(
                f"SELECT question_id, {version}, COUNT(DISTINCT person_id) FROM {table} "  # noqa: S608
                f"WHERE quiz_id = %s{chosen_sql} GROUP BY question_id"
                + (", version" if version == "version" else ""),
                [quiz.pk, *chosen_params],
            )
            counts.update(
                ((int(question_id), row_version), count)
                for question_id, row_version, count in cursor.fetchall()
            )
    return counts


def _chosen_attempts_sql(*, quiz, basis, people=None):
    """A condition on ``AnsweredQuestion`` rows (SQL to append to a WHERE, and its parameters)
    that keeps the attempts the ``basis`` chooses: every row of the quiz is a submitted
    attempt's, so all of them need none; else each person's first or last submitted attempt (by
    submission, then id, as ``item_analysis_attempts``). ``people`` (a queryset): only theirs."""
    whose, whose_params = "", []
    if people is not None:
        people_sql, people_params = people.values("pk").query.sql_with_params()
        whose, whose_params = f" AND person_id IN ({people_sql})", list(people_params)
    if basis == ALL_ATTEMPTS:
        return whose, whose_params
    table = Attempt._meta.db_table
    order = "submitted_at, id" if basis == FIRST_ATTEMPTS else "submitted_at DESC, id DESC"
    numbered = (
        f"SELECT id, ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY {order}) AS n "  # noqa: S608
        f"FROM {table} WHERE quiz_id = %s AND submitted_at IS NOT NULL"
    )
    chosen = f"SELECT id FROM ({numbered}) numbered WHERE n = 1"  # noqa: S608  (our own names)
    return f" AND attempt_id IN ({chosen}){whose}", [quiz.pk, *whose_params]


def _answer_groups_sql(chosen_sql, chosen_params, *, quiz):
    """The chosen attempts' answered questions of ``quiz`` in one pass, grouped by question,
    version, score, the attempt's score and response: a few hundred groups whatever the number
    of attempts, from which every statistic and response count is worked out. Each row gives the
    score and the rest of the attempt's score in hundredths of a point (whole numbers), the
    response as JSON text (None unanswered), how many attempts, the largest maximum score, the
    first attempt in the group and where that first met the question (attempt id, then
    position).

    The GROUP BY names the columns themselves (points have two decimal places, so the
    hundredths are the same groups): PostgreSQL's extended statistics on exactly these columns
    (migration quizzes 0013) tell the planner there are few groups, so it hashes them in one
    scan instead of sorting millions of rows."""
    table = AnsweredQuestion._meta.db_table
    # PostgreSQL groups the jsonb values themselves and writes each distinct one as text once.
    response = "response::text" if connection.vendor == "postgresql" else "response"
    sql = f"""
        SELECT question_id, version, CAST(ROUND(points * 100) AS BIGINT),
               CAST(ROUND((attempt_points - points) * 100) AS BIGINT), {response}, times,
               maximum, sample, first_met
        FROM (
            SELECT question_id, version, points, attempt_points, response, COUNT(*) AS times,
                   MAX(max_points) AS maximum, MIN(attempt_id) AS sample,
                   MIN(attempt_id * 10000 + position) AS first_met
            FROM {table} WHERE quiz_id = %s{chosen_sql}
            GROUP BY question_id, version, points, attempt_points, response
        ) grouped
    """  # noqa: S608  (our own names; values bound)
    with whole_organisation_query(), connection.cursor() as cursor:
        cursor.execute(sql, [quiz.pk, *chosen_params])
        return cursor.fetchall()


def attempt_result_rows(*, attempt, every_option=False):
    """Every question with the answer key: the answer given, whether it was right, and for each
    part of it the expected answer, feedback and clause. For auditors' evidence (``every_option``
    lists every option shown) and, only through ``attempt_review`` when it ``shows_key``, the
    learner's result page (the option chosen and the right one). Only ever called on a submitted
    attempt."""
    results = {row["question"]: row for row in attempt.results}
    rows = []
    for number, question in enumerate(attempt.questions, start=1):
        question_id = str(question["id"])
        response = attempt.answers.get(question_id)
        kind = kind_of(question)
        items = kind.review_items(question, response, every_option=every_option)
        rows.append(
            {
                "number": number,
                "question": question,
                "answered": response is not None,
                "response": response,
                "correct": results[question_id]["correct"],
                "points": results[question_id]["points"],
                "max_points": results[question_id]["max_points"],
                "items": items,
                "kind": kind,
                "answer_text": "No answer"
                if response is None
                else kind.answer_text(question, response),
            }
        )
    return rows


# What the person sees of an attempt still open: never the key (the quiz page and the download).
OPEN = "open"
# The fields of a question or option snapshot that are the answer key, or point to it: the
# flags, the feedback and explanation that say why, the clause each option rests on (the right
# option often cites a clause of its own) and the database ids that follow the authored order.
KEYED_QUESTION_FIELDS = ("explanation",)
KEYED_OPTION_FIELDS = ("correct", "appropriate", "position", "feedback", "clause", "option_id")


@dataclass(frozen=True)
class AttemptReview:
    """What the attempt's owner may see of it: the one rule every learner-facing page, download,
    JSON answer and e-mail goes through. ``level`` is OPEN for an attempt not yet submitted, else
    a ``Review`` value; only ``Review.FULL`` shows the key."""

    attempt: Attempt
    level: str
    standing: QuizStanding

    @property
    def shows_key(self):
        return self.level == Review.FULL

    @property
    def shows_questions(self):
        """Whether the person sees which questions they got right (and, for the rest, what to re-read)."""
        return self.level in (Review.WRONG_QUESTIONS, Review.FULL)

    def rows(self):
        """The result page's questions: the full rows with the key, or without it only the
        question, the person's own answer, whether it was right and what to re-read."""
        if not self.attempt.is_submitted or not self.shows_questions:
            return []
        rows = attempt_result_rows(attempt=self.attempt)
        if self.shows_key:
            return rows
        return [
            {
                "number": row["number"],
                "text": row["question"]["text"],
                "critical": row["question"]["critical"],
                "answer_text": row["answer_text"],
                "correct": row["correct"],
                "points": row["points"],
                "max_points": row["max_points"],
                "reread": [] if row["correct"] else question_clauses(question=row["question"]),
            }
            for row in rows
        ]

    def data(self):
        """The attempt for the person's own download: all of it when the key may be shown, else
        what they were shown and answered, and (as the review level allows) how each question went."""
        attempt = self.attempt
        record = {
            "quiz": attempt.quiz.title,
            "started_at": attempt.started_at,
            "submitted_at": attempt.submitted_at,
            "timed_out": attempt.timed_out,
            "answers": attempt.answers if attempt.is_submitted else attempt.draft,
            "score_percent": attempt.percent,
            "pass_mark": attempt.pass_mark,
            "passed": attempt.passed,
            "review": REVIEW_NOTES[self.level],
        }
        if self.shows_key:
            return record | {"questions_shown": attempt.questions, "results": attempt.results}
        record["questions_shown"] = [
            question_without_key(question=question) for question in attempt.questions
        ]
        if self.shows_questions:
            record["results"] = [
                {
                    "number": row["number"],
                    "points": row["points"],
                    "max_points": row["max_points"],
                    "answered_right": row["correct"],
                    "clauses_to_reread": row["reread"],
                }
                for row in self.rows()
            ]
        return record


REVIEW_NOTES = {
    OPEN: "Not yet submitted: the questions and your answers saved so far.",
    Review.SCORE: "Your score and result. The quiz's settings show no more until you pass it.",
    Review.WRONG_QUESTIONS: "Your score, which questions you got right, and the policy clauses to re-read. "
    "The answers the policy expects are shown once you pass the quiz.",
    Review.FULL: "Everything: the questions as shown with the answers the policy expects, feedback and explanations.",
}


def attempt_review(*, attempt, standing=None, now=None):
    """What the attempt's owner may see of it (``AttemptReview``).

    - An open attempt: the questions and the person's own answers, never the key.
    - While any attempt at the quiz is open, every attempt at it is reviewed as a failed one, so
      that an earlier pass cannot hand over the key of the questions being answered.
    - Once they have passed the quiz: the quiz's ``review_after_pass`` (by default everything).
    - Not passed, and every attempt allowed in total used, when the quiz says so: everything.
    - Otherwise (not passed, may try again): the quiz's ``review_after_failure`` (by default the
      score, which questions were not right and the clauses to re-read), never the key.

    ``standing`` (from ``quiz_standing``) saves its queries when reviewing many attempts."""
    quiz = attempt.quiz
    standing = standing or quiz_standing(person=attempt.person, quiz=quiz, now=now)
    if not attempt.is_submitted:
        level = OPEN
    elif standing.has_open_attempt:
        level = quiz.review_after_failure
    elif standing.passed:
        level = quiz.review_after_pass
    elif quiz.full_review_when_no_attempts_remain and standing.out_of_attempts:
        level = Review.FULL
    else:
        level = quiz.review_after_failure
    return AttemptReview(attempt=attempt, level=level, standing=standing)


def person_attempt_reviews(*, person):
    """``attempt_review`` for each of the person's attempts, newest first, in a few queries."""
    attempts = list(Attempt.objects.filter(person=person).select_related("quiz", "person"))
    standings = {}
    for attempt in attempts:
        if attempt.quiz_id not in standings:
            standings[attempt.quiz_id] = quiz_standing(person=person, quiz=attempt.quiz)
    return [
        attempt_review(attempt=attempt, standing=standings[attempt.quiz_id]) for attempt in attempts
    ]


def question_without_key(*, question):
    """A question snapshot as the person was shown it: its words and options, none of the key."""
    shown = {name: value for name, value in question.items() if name not in KEYED_QUESTION_FIELDS}
    shown["options"] = [
        {name: value for name, value in option.items() if name not in KEYED_OPTION_FIELDS}
        for option in question["options"]
    ]
    return shown


def question_clauses(*, question):
    """The clauses a question rests on, once each and in the library's order (never the order of
    the options, which would say which option cites which)."""
    clauses = {option["clause"]["id"]: option["clause"] for option in question["options"]}
    return sorted(
        clauses.values(),
        key=lambda clause: (
            clause["organisation"],
            clause["document"],
            clause_reference_order(clause["reference"]),
            clause["id"],
        ),
    )


EVIDENCE_COLUMNS = [
    "attempt_id",
    "person",
    "employee_number",
    "quiz",
    "module",
    "started_at",
    "submitted_at",
    "timed_out",
    "score",
    "max_score",
    "percent",
    "pass_mark",
    "passed",
    "question_number",
    "question_id",
    "question_version",
    "question_type",
    "critical",
    "question",
    "question_points",
    "question_max_points",
    "question_correct",
    "item",
    "answer_given",
    "policy_answer",
    "item_right",
    "feedback",
    "policy_document",
    "document_version",
    "clause_reference",
    "clause_version",
    "clause_heading",
]


def attempt_evidence_rows(*, attempt):
    """The evidence record flattened: one row per option or item shown, every row carrying the
    attempt, the question and the clause it rests on. Columns as in EVIDENCE_COLUMNS."""
    head = [
        attempt.pk,
        attempt.person.full_name,
        attempt.person.employee_number,
        attempt.quiz.title,
        attempt.quiz.module.title,
        _iso(attempt.started_at),
        _iso(attempt.submitted_at),
        attempt.timed_out,
        attempt.score,
        attempt.max_score,
        attempt.percent,
        attempt.pass_mark,
        attempt.passed,
    ]
    if not attempt.is_submitted:
        yield head + [""] * (len(EVIDENCE_COLUMNS) - len(head))
        return
    for row in attempt_result_rows(attempt=attempt, every_option=True):
        question = row["question"]
        for item in row["items"]:
            clause = item["clause"]
            yield head + [
                row["number"],
                question["id"],
                question.get("version", ""),
                question["type"],
                question["critical"],
                question["text"],
                row["points"],
                row["max_points"],
                row["correct"],
                item["text"],
                item["given"],
                item["expected"],
                item["right"],
                item["feedback"],
                clause["document"],
                clause["document_version"],
                clause["reference"],
                clause["version"],
                clause["heading"],
            ]


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else ""


def clause_coverage():
    """One row per policy clause (its newest version): the module steps that teach it and the quiz
    questions that test it, so authors can see which rules nothing teaches or tests. A question
    cites a clause through any of its options (or, for true/false, the statement itself)."""
    steps_by_clause = module_steps_by_clause()
    question_ids_by_clause = defaultdict(set)
    for clause_id, question_id in Option.objects.values_list("clause_id", "question_id"):
        question_ids_by_clause[clause_id].add(question_id)
    for clause_id, question_id in TrueFalseQuestion.objects.values_list("clause_id", "pk"):
        question_ids_by_clause[clause_id].add(question_id)
    questions = {
        question.pk: f"{question.quiz.title}, {question.key or f'question {question.pk}'}: "
        f"{question.text}"
        # A question whose withdrawal was approved tests nothing any more.
        for question in Question.objects.non_polymorphic()
        .exclude(_withdrawn())
        .select_related("quiz")
    }
    newest = {}
    for clause in PolicyClause.objects.select_related("document").order_by("-version"):
        newest.setdefault((clause.document_id, clause.reference), clause)
    rows = []
    for clause in sorted(newest.values(), key=_clause_order):
        steps = steps_by_clause.get(clause.pk, [])
        cited_by = sorted(
            questions[pk] for pk in question_ids_by_clause.get(clause.pk, ()) if pk in questions
        )
        rows.append(
            {
                "document": f"{clause.document.organisation}: {clause.document.title} "
                f"({policy_version_label(clause.document.version)})",
                "reference": clause.reference,
                "where": clause.where,
                "heading": clause.heading,
                "clause_version": clause.version,
                "coverage": _coverage_label(
                    steps=steps, questions=cited_by, not_assessed_reason=clause.not_assessed_reason
                ),
                "not_assessed_reason": clause.not_assessed_reason,
                "step_count": len(steps),
                "question_count": len(cited_by),
                "steps": "; ".join(steps),
                "questions": "; ".join(cited_by),
            }
        )
    return rows


def _clause_order(clause):
    """Documents by organisation and title, then references in reading order (2.9 before 2.10)."""
    parts = re.split(r"(\d+)", clause.reference)
    return (
        clause.document.organisation,
        clause.document.title,
        [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts if part],
    )


def _coverage_label(*, steps, questions, not_assessed_reason=""):
    if not steps and not questions:
        # The author's decision: a gap to close, or a clause that needs no teaching and why not.
        return "Not assessed (reason recorded)" if not_assessed_reason else "Never cited: a gap"
    if steps and questions:
        return "Taught and tested"
    if steps:
        return "Taught, not tested"
    if questions:
        return "Tested, not taught"
    return ""


# Most-missed clauses: which of the policy's rules people get wrong. A question counts against
# every clause it rests on (``question_clauses``); it is missed when it was not answered fully
# right (a wrong answer, part marks, or no answer when time ran out).
MISSED_CLAUSE_MONTHS = 12


@dataclass(frozen=True)
class QuestionMisses:
    question_id: int
    text: str
    asked: int
    missed: int

    @property
    def share_missed(self):
        return 100 * self.missed / self.asked


@dataclass(frozen=True)
class MonthMisses:
    month: datetime.date  # its first day
    asked: int
    missed: int
    people: int | None  # how many people answered (None when not counted)

    @property
    def share_missed(self):
        return 100 * self.missed / self.asked


@dataclass(frozen=True)
class ClauseMisses:
    clause_id: int
    document: str
    reference: str
    heading: str
    where: str
    asked: int
    missed: int
    people: int | None
    questions: tuple  # QuestionMisses, most missed first
    months: tuple  # MonthMisses for every month of the window, oldest first (asked 0: none)

    @property
    def share_missed(self):
        return 100 * self.missed / self.asked

    @property
    def label(self):
        return f"{self.document} {self.where or self.reference}"


def months_back(*, today, months):
    """The first days of the last ``months`` months, oldest first, this month last."""
    first = today.replace(day=1)
    days = []
    for _ in range(months):
        days.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return days[::-1]


def _question_month_sql(*, people, since, by_person):
    """Per question, version and month (and person, ``by_person``): how often the question was
    asked in a submitted attempt and how often it was missed, and one attempt that shows the
    version. One GROUP BY over the submissions' answered questions (``AnsweredQuestion``)."""
    table = AnsweredQuestion._meta.db_table
    if connection.vendor == "postgresql":
        month = "to_char(a.submitted_at AT TIME ZONE %s, 'YYYY-MM')"
        month_params = [settings.TIME_ZONE]
    else:
        month = "strftime('%%Y-%%m', a.submitted_at)"  # UTC: SQLite knows no time zones
        month_params = []
    where = ["a.submitted_at >= %s"]
    params = [since]
    if people is not None:
        people_sql, people_params = people.values("pk").query.sql_with_params()
        where.append(f"a.person_id IN ({people_sql})")
        params.extend(people_params)
    # By position: with server-side parameters, the month expression written twice would be two
    # expressions to PostgreSQL, each with its own parameter.
    groups = ["1", "2", "3"] + (["4"] if by_person else [])
    sql = (
        f"SELECT a.question_id, a.version, {month}, "  # noqa: S608  (our own names; values bound)
        f"{'a.person_id' if by_person else 'NULL'}, COUNT(*), "
        "SUM(CASE WHEN a.correct THEN 0 ELSE 1 END), MIN(a.attempt_id) "
        f"FROM {table} a WHERE {' AND '.join(where)} GROUP BY {', '.join(groups)} "
        # Latest first: a question's text in the report is that of its latest version.
        "ORDER BY MAX(a.submitted_at) DESC, MAX(a.attempt_id) DESC"
    )
    with whole_organisation_query(), connection.cursor() as cursor:
        cursor.execute(sql, month_params + params)
        return cursor.fetchall()


def clause_misses(*, people=None, today=None, months=MISSED_CLAUSE_MONTHS, count_people=False):
    """The clauses of the questions asked in submitted attempts over the last ``months`` months,
    most missed first (share missed, then times missed, then the library's order), each with the
    questions behind it and its trend by month. ``people``: a queryset of whose attempts count
    (a reporting line), else everyone's. ``count_people`` also counts how many different people
    answered, overall and each month, for the small-numbers rule. A clause no one was asked is
    not listed: a share of nothing is not 0 %. Never says who answered what."""
    today = today or timezone.localdate()
    month_starts = months_back(today=today, months=months)
    since = timezone.make_aware(datetime.datetime.combine(month_starts[0], datetime.time.min))
    rows = _question_month_sql(people=people, since=since, by_person=count_people)
    samples = {}
    for question_id, version, _month, _person, _asked, _missed, sample in rows:
        key = (str(question_id), version)
        samples[key] = min(sample, samples.get(key, sample))
    snapshots = {}
    for attempt_questions in Attempt.objects.filter(pk__in=set(samples.values())).values_list(
        "questions", flat=True
    ):
        for question in attempt_questions:
            snapshots.setdefault((str(question["id"]), question["version"]), question)
    clauses, latest_text = {}, {}
    totals = defaultdict(lambda: [0, 0, set()])  # clause -> asked, missed, people
    by_question = defaultdict(lambda: [0, 0])  # (clause, question) -> asked, missed
    by_month = defaultdict(lambda: [0, 0, set()])  # (clause, month) -> asked, missed, people
    for question_id, version, month, person, asked, missed, _sample in rows:
        question = snapshots[(str(question_id), version)]
        latest_text.setdefault(question["id"], question["text"])
        month_start = datetime.date(int(month[:4]), int(month[5:7]), 1)
        for clause in question_clauses(question=question):
            clauses.setdefault(clause["id"], clause)
            for tally in (totals[clause["id"]], by_month[(clause["id"], month_start)]):
                tally[0] += asked
                tally[1] += missed
                if person is not None:
                    tally[2].add(person)
            counts = by_question[(clause["id"], question["id"])]
            counts[0] += asked
            counts[1] += missed
    result = []
    for clause_id, (asked, missed, people_seen) in totals.items():
        clause = clauses[clause_id]
        questions = sorted(
            (
                QuestionMisses(
                    question_id=question_id,
                    text=latest_text[question_id],
                    asked=counts[0],
                    missed=counts[1],
                )
                for (clause_key, question_id), counts in by_question.items()
                if clause_key == clause_id
            ),
            key=lambda question: (-question.share_missed, -question.missed, question.question_id),
        )
        result.append(
            ClauseMisses(
                clause_id=clause_id,
                document=clause["document"],
                reference=clause["reference"],
                heading=clause["heading"],
                where=clause.get("where", ""),
                asked=asked,
                missed=missed,
                people=len(people_seen) if count_people else None,
                questions=tuple(questions),
                months=tuple(
                    MonthMisses(
                        month=month_start,
                        asked=by_month[(clause_id, month_start)][0],
                        missed=by_month[(clause_id, month_start)][1],
                        people=len(by_month[(clause_id, month_start)][2]) if count_people else None,
                    )
                    if (clause_id, month_start) in by_month
                    else MonthMisses(
                        month=month_start, asked=0, missed=0, people=0 if count_people else None
                    )
                    for month_start in month_starts
                ),
            )
        )
    return sorted(
        result,
        key=lambda row: (
            -row.share_missed,
            -row.missed,
            row.document,
            clause_reference_order(row.reference),
            row.clause_id,
        ),
    )


# The quiz's question editor (quizzes.kinds.editor): what it starts from and what stops a save.


def _questions_as_edited(*, quiz):
    """Each question of the quiz at its latest draft where it has one (a draft lives in its
    revisions), else the row, in the bank's order, except those whose withdrawal is published:
    they have left the quiz."""
    if quiz.pk is None:
        return []
    questions = (
        quiz.questions.exclude(_withdrawn())
        .select_related("latest_revision")
        .order_by("sort_order", "pk")
    )
    return [
        question.get_latest_revision_as_object()
        if question.has_unpublished_changes and question.latest_revision_id
        else question
        for question in questions
    ]


def quiz_questions_for_editing(*, quiz):
    """The quiz's questions as an author edits them, in the bank's order: each one's latest draft
    where it has one, else the row. A question withdrawn (its withdrawal waiting for review, or
    published) is not one of them: saving the editor leaves it as it is
    (``quiz_questions_withdrawal_pending``)."""
    return [question for question in _questions_as_edited(quiz=quiz) if not question.withdrawn]


def quiz_questions_withdrawal_pending(*, quiz):
    """The quiz's published questions that an author has withdrawn in a draft not yet approved,
    in the bank's order (each as its latest draft): learners are still asked them, and approving
    the quiz's review takes them out of its bank. Shown under the quiz's question editor, where
    the author may restore one (``quizzes.services.quiz_question_withdrawals_restore``)."""
    return [question for question in _questions_as_edited(quiz=quiz) if question.withdrawn]


def quiz_questions_editor_raw(*, quiz):
    """The editor's starting stream (type, value, id per question), as stored JSON."""
    return [
        editor_raw(kind_of(question.question_type), question)
        for question in quiz_questions_for_editing(quiz=quiz)
    ]


def quiz_question_edit_problems(*, quiz, items, user):
    """Why an edit of the quiz's questions cannot be saved, nothing saved: an item naming a
    question this quiz does not have (or one withdrawn) or one of another type, a changed or
    removed question locked against this user (by another author, or in a review they cannot act
    on), or a removed question they may not take away: a draft never published is deleted, so it
    needs the right to delete it; a published one is withdrawn in a draft for review
    (``quizzes.services.quiz_questions_save``), so it needs the right to change it."""
    edited = _questions_as_edited(quiz=quiz)
    current = {question.pk: question for question in edited if not question.withdrawn}
    withdrawn = {question.pk: question for question in edited if question.withdrawn}
    problems = []
    kept = set()
    for position, child in enumerate(items, start=1):
        pk = pk_from_item_id(child.id, QUESTION_ID_PREFIX)
        if pk is None:
            continue
        question = current.get(pk)
        if pk in withdrawn:  # e.g. a second window opened before the withdrawal
            problems.append(
                f"Question {position}, “{withdrawn[pk]}”, was withdrawn meanwhile: restore it "
                "(under the questions) to edit it again. Reload the page to see the quiz as it is."
            )
            continue
        if question is None:
            problems.append(f"Question {position} is not one of this quiz's questions.")
            continue
        if question.question_type != child.block_type:
            problems.append(f"Question {position} cannot change its type.")
            continue
        kept.add(pk)
        if question_editor_changed(question=question, child=child):
            problems += _lock_problems(question=question, user=user, doing="changed")
    for pk, question in current.items():
        if pk in kept:
            continue
        if question_is_withdrawn_on_removal(question=question):
            if not ModelPermissionPolicy(type(question)).user_has_permission(user, "change"):
                problems.append(f"You may not withdraw the question “{question}”.")
            problems += _lock_problems(question=question, user=user, doing="withdrawn")
            continue
        if not ModelPermissionPolicy(type(question)).user_has_permission(user, "delete"):
            problems.append(f"You may not delete the question “{question}”.")
        # Live questions are withdrawn above; should that rule ever narrow, a deletion here still
        # obeys the rule for deleting live content.
        elif refusal := live_content_delete_refusal(instance=question, user=user):
            problems.append(refusal)
        problems += _lock_problems(question=question, user=user, doing="deleted")
    return problems


def question_is_withdrawn_on_removal(*, question):
    """Whether removing ``question`` from the quiz's editor withdraws it (in a draft, for review)
    rather than deleting it: learners may be asked it now (it is live), and taking it away from
    them is a change like any other, so it goes through review, whoever removes it. A draft never
    published is only the author's writing, and is deleted."""
    return question.live


def question_draft_is_live(*, question):
    """Whether ``question`` (a draft of a published question) says what its live row says, in
    every field its editor holds: a withdrawal restored before any other change is no change."""
    row = Question.objects.get(pk=question.pk)
    kind = kind_of(question.question_type)
    return row.live and editor_raw(kind, row)["value"] == editor_raw(kind, question)["value"]


def quiz_withdrawal_restore_problems(*, quiz, questions, user):
    """Why ``user`` may not restore these withdrawn ``questions`` of the quiz (undo their
    withdrawal before it is approved), as sentences; empty when they may."""
    pending = {question.pk for question in quiz_questions_withdrawal_pending(quiz=quiz)}
    problems = []
    for question in questions:
        if question.quiz_id != quiz.pk or question.pk not in pending:
            problems.append(f"“{question}” is not a withdrawal of this quiz waiting for review.")
            continue
        if not ModelPermissionPolicy(type(question)).user_has_permission(user, "change"):
            problems.append(f"You may not restore the question “{question}”.")
        problems += _lock_problems(question=question, user=user, doing="restored")
    return problems


def _lock_problems(*, question, user, doing):
    lock = question.get_lock()
    if lock is None or not lock.for_user(user):
        return []
    return [f"The question “{question}” cannot be {doing}: {strip_tags(lock.get_message(user))}"]


def question_editor_changed(*, question, child):
    """Whether the editor's item says something other than ``question`` (its draft or row)."""
    block = child.block
    before = block.to_python(editor_raw(kind_of(question.question_type), question)["value"])
    return item_prep(block, before) != item_prep(block, child.value)


def quiz_check_spec(*, quiz, total=..., per_topic=None):
    """The quiz as the pure content checks read it (``quizzes.content_checks``): every question
    of its bank as written (published or still a draft: the checks run while authors write), and
    the draw settings (or the ones given, from a form not yet saved); a withdrawn question, or
    one whose withdrawal waits for review, is out of it already. Also returns
    ``organisation_of`` (``question_check_specs``). A fixed number of queries."""
    questions = list(
        Question.objects.filter(quiz=quiz)
        .exclude(_withdrawn(as_written=True))
        .order_by("sort_order", "pk")
        .prefetch_related("options__clause__document")
    )
    specs, documents = question_check_specs(questions=questions)
    per_topic = quiz_topic_counts(quiz=quiz) if per_topic is None else per_topic
    spec = {
        "questions": specs,
        "questions_per_attempt": quiz.questions_per_attempt if total is ... else total,
        "topic_draws": [{"topic": topic, "count": count} for topic, count in per_topic.items()],
    }
    return spec, documents


def quiz_check_problems(*, quiz, total=..., per_topic=None):
    """Every content check on the quiz as being written, as sentences: the pure checks (keyed
    positions and cues, bank at least twice the draw, feedback, one organisation's clauses
    per question, each cited clause taught by a step of the module), then questions citing
    replaced clause versions, the draw and each audience's draw. A question is checked against
    the module's steps as being written (its latest revision). Warnings in the quiz editor
    (``quizzes.panels.QuizChecksPanel``); submitting the quiz for review or publishing it is
    refused while any remains (``quizzes.admin_forms.QuizAdminForm``)."""
    if quiz.pk is None:
        return []
    spec, organisation_of = quiz_check_spec(quiz=quiz, total=total, per_topic=per_topic)
    taught = module_taught_clause_keys(raw_steps=module_steps_latest(module=quiz.module))
    problems = [
        *quiz_content_problems(quiz=spec, organisation_of=organisation_of, taught=taught),
        *quiz_superseded_citation_warnings(quiz=quiz),
        *quiz_draw_problems(quiz=quiz, total=total, per_topic=per_topic, as_written=True),
        *quiz_audience_problems(quiz=quiz, total=total, per_topic=per_topic, as_written=True),
    ]
    return list(dict.fromkeys(problems))  # one sentence once, whichever checks found it


def quiz_cited_document_ids(*, quiz):
    """Ids of the policy documents the quiz's questions cite (options and true/false questions)."""
    return set(
        PolicyDocument.objects.filter(
            Q(clauses__quiz_options__question__quiz=quiz)
            | Q(clauses__in=TrueFalseQuestion.objects.filter(quiz=quiz).values("clause"))
        ).values_list("pk", flat=True)
    )
