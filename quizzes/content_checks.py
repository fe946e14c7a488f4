"""Checks that a quiz, as plain data, can only be passed by someone who knows the policy.

Pure functions over the shipped JSON shape (a quiz is a dict with "questions" and, optionally,
"questions_per_attempt" and "topic_draws"), so the content loader and the admin's authoring screens
can share them. Each returns sentences for the author; an empty list means no problem was found.

Why these rules:
- if one option position holds most single-choice keys, "always pick the first" passes without
  reading the question;
- if the right answer is most often the longest option, or the odd one out among options that
  are otherwise variations of one idea, "pick the longest" or "pick the odd one" passes without
  reading the policy (careful, qualified answers grow long unless the wrong ones are written as
  carefully, and three ways of saying yes give away the one no);
- if a topic's bank is barely larger than what is drawn from it, a retry sees the same questions and
  the pass measures memory of the last attempt;
- a question that names one organisation's policy but cites another organisation's clause teaches a
  rule the person's employer may not have;
- a question citing a clause that no step of its module cites examines the person on a rule the
  module never taught them: the pass would measure what they happened to know beforehand."""

import re
from collections import Counter

from .drawing import BANK_TO_DRAW_RATIO
from .kinds import KINDS

MAX_SHARE_OF_ONE_POSITION = 0.4


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


def _ordinal(number):
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}.get(
        number, f"number {number}"
    )


def key_position_problems(*, quiz):
    """Refuses a quiz whose single-choice keys pile up in one authored option position.

    A position may hold more than 40 % of the keys only when it holds a single key: a quiz with one
    or two single-choice questions cannot spread its keys any further."""
    positions = Counter()
    for spec in quiz.get("questions", []):
        kind = KINDS.get(spec.get("type"))
        if kind is None or not kind.key_position_matters:
            continue
        for position, option in enumerate(spec.get("options") or [], start=1):
            if isinstance(option, dict) and option.get("correct"):
                positions[position] += 1
    total = sum(positions.values())
    problems = []
    for position, count in sorted(positions.items()):
        if count > 1 and count > MAX_SHARE_OF_ONE_POSITION * total:
            problems.append(
                f"The {_ordinal(position)} option is the right answer in {count} of the "
                f"{_plural(total, 'single-choice question')} ({round(100 * count / total)} %); "
                f"no position may hold more than {round(100 * MAX_SHARE_OF_ONE_POSITION)} %, so "
                "move some right answers to other positions."
            )
    return problems


# Beyond this share of single-choice questions, a cue in how the right answer is written (the
# longest option, the odd one out) beats chance (about a quarter with four options).
MAX_SHARE_OF_ONE_CUE = 0.4


def _single_choice_keys(quiz):
    """(option texts, index of the keyed one) of each well-formed single-choice question: one
    keyed option and at least one other. A malformed question is the form's or the loader's to
    report."""
    for spec in quiz.get("questions", []):
        kind = KINDS.get(spec.get("type"))
        if kind is None or not kind.key_position_matters:
            continue
        options = [option for option in spec.get("options") or [] if isinstance(option, dict)]
        keyed = [index for index, option in enumerate(options) if option.get("correct")]
        if len(keyed) == 1 and len(options) > 1:
            yield [str(option.get("text", "")) for option in options], keyed[0]


def _words(text):
    return frozenset(re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")))


def option_similarities(texts):
    """How much each option is like the others: the mean Jaccard similarity of its set of words
    to each other option's (1 for two options saying the same words, 0 for none shared)."""
    sets = [_words(text) for text in texts]
    similarities = []
    for index, mine in enumerate(sets):
        others = [other for position, other in enumerate(sets) if position != index]
        similarities.append(
            sum(len(mine & other) / (len(mine | other) or 1) for other in others) / len(others)
        )
    return similarities


def _is_odd_one_out(texts, key):
    """Whether the keyed option is strictly the least like the others (``option_similarities``):
    three options of a kind ("post it, because ...") and one of another ("don't post it") give
    the key away. Of two options, each is as odd as the other."""
    if len(texts) < 3:
        return False
    similarities = option_similarities(texts)
    return similarities[key] < min(
        similarity for index, similarity in enumerate(similarities) if index != key
    )


def _cue_problem(*, count, total, cue, remedy):
    if count > 1 and count > MAX_SHARE_OF_ONE_CUE * total:
        return [
            f"The right answer is {cue} in {count} of the "
            f"{_plural(total, 'single-choice question')} ({round(100 * count / total)} %); "
            f"no more than {round(100 * MAX_SHARE_OF_ONE_CUE)} % may be, or picking {cue} "
            f"passes without knowing the policy: {remedy}."
        ]
    return []


def key_cue_problems(*, quiz):
    """Refuses a quiz whose single-choice keys are too often the longest option, or the odd one
    out, of their question: more than 40 % of them, and more than one (as for positions)."""
    keys = list(_single_choice_keys(quiz))
    longest = sum(
        len(texts[key]) > max(len(text) for index, text in enumerate(texts) if index != key)
        for texts, key in keys
    )
    odd = sum(_is_odd_one_out(texts, key) for texts, key in keys)
    return [
        *_cue_problem(
            count=longest,
            total=len(keys),
            cue="the longest option",
            remedy="write some wrong options as fully as the right one, or say the right one "
            "more briefly",
        ),
        *_cue_problem(
            count=odd,
            total=len(keys),
            cue="the odd one out",
            remedy="write some wrong options in the right one's terms (a wrong requirement, "
            "not only a wrong yes), so that the three wrong ones are not variations of one idea",
        ),
    ]


def bank_size_problems(*, quiz):
    """Refuses draw settings that leave too little to draw from for a retry to see new questions:
    each topic's bank must hold at least twice its count, and the whole bank at least twice the
    questions per attempt."""
    questions = [spec for spec in quiz.get("questions", []) if isinstance(spec, dict)]
    by_topic = Counter(spec.get("topic", "") for spec in questions)
    problems = []
    for draw in quiz.get("topic_draws") or []:
        topic = draw.get("topic") if isinstance(draw, dict) else None
        count = draw.get("count") if isinstance(draw, dict) else None
        if not topic or not isinstance(count, int) or isinstance(count, bool) or count < 1:
            problems.append(
                f"Every topic draw needs a topic and a count of at least 1 (found {draw!r})."
            )
            continue
        held = by_topic.get(topic, 0)
        if held < BANK_TO_DRAW_RATIO * count:
            problems.append(
                f"Topic “{topic}” has {_plural(held, 'question')} but {count} "
                f"{'is' if count == 1 else 'are'} drawn from it per attempt; it needs at least "
                f"{BANK_TO_DRAW_RATIO * count} so that a retry can see different questions."
            )
    total = quiz.get("questions_per_attempt")
    if total is not None:
        if not isinstance(total, int) or isinstance(total, bool) or total < 1:
            problems.append(
                f"Questions per attempt must be a whole number of at least 1 (found {total!r})."
            )
        elif len(questions) < BANK_TO_DRAW_RATIO * total:
            problems.append(
                f"The bank has {_plural(len(questions), 'question')} but {total} are asked per "
                f"attempt; it needs at least {BANK_TO_DRAW_RATIO * total} so that a retry can see "
                "different questions."
            )
    return problems


def cited_clauses(spec):
    """Every clause key ("<document key>:<reference>") a question spec cites, wherever it is."""
    if isinstance(spec, dict):
        for name, item in spec.items():
            if name == "clause" and isinstance(item, str):
                yield item
            else:
                yield from cited_clauses(item)
    elif isinstance(spec, list):
        for item in spec:
            yield from cited_clauses(item)


def organisation_problems(*, quiz, organisation_of):
    """Refuses a question that names one organisation's policy but cites a clause of another
    organisation. ``organisation_of`` maps a policy document key to its organisation. A clause of
    an unknown document, or a question naming no policy, is left to the caller's field validation."""
    problems = []
    for spec in quiz.get("questions", []):
        if not isinstance(spec, dict):
            continue
        key = spec.get("key", "?")
        policy = spec.get("policy")
        if policy is None:
            continue  # a missing field is the form's or the loader's to report
        if policy not in organisation_of:
            problems.append(
                f"Question {key} names the policy “{policy}”, which is not in the policy library."
            )
            continue
        organisation = organisation_of[policy]
        foreign = sorted(
            {
                clause
                for clause in cited_clauses(spec)
                if organisation_of.get(clause.split(":", 1)[0], organisation) != organisation
            }
        )
        if foreign:
            others = sorted({organisation_of[clause.split(":", 1)[0]] for clause in foreign})
            problems.append(
                f"Question {key} is about {organisation}'s policy ({policy}) but cites "
                f"{', '.join(foreign)} from {' and '.join(others)}; cite only {organisation}'s "
                "clauses so the answer is the rule this employer sets."
            )
    return problems


def untaught_problems(*, quiz, taught):
    """Refuses a question that cites a clause its module's steps do not: ``taught`` holds the
    clause keys the steps cite (a policy extract, a decision or one of its choices, a key rule).
    Clauses are compared by document and reference, so a step citing an older version of a
    clause still teaches it (the superseded-citation check asks for the new one)."""
    taught = set(taught)
    problems = []
    for spec in quiz.get("questions", []):
        if not isinstance(spec, dict):
            continue
        untaught = sorted(set(cited_clauses(spec)) - taught)
        if untaught:
            them = "it" if len(untaught) == 1 else "them"
            problems.append(
                f"Question {spec.get('key', '?')} tests {', '.join(untaught)}, which no step of "
                f"the module teaches; cite {them} in a step (a policy extract or a key rule), or "
                "take the question out."
            )
    return problems


def quiz_content_problems(*, quiz, organisation_of, taught):
    """All problems the checks above find in one quiz, in a stable order. ``taught``: the clause
    keys its module's steps cite."""
    return [
        *key_position_problems(quiz=quiz),
        *key_cue_problems(quiz=quiz),
        *bank_size_problems(quiz=quiz),
        *feedback_problems(quiz=quiz),
        *organisation_problems(quiz=quiz, organisation_of=organisation_of),
        *untaught_problems(quiz=quiz, taught=taught),
    ]


# Where each kind's spec lists what a learner picks from (quizzes.kinds): each entry's feedback
# is what a learner reads after answering.
FEEDBACK_ENTRY_FIELDS = ("options", "actions", "items")


def feedback_problems(*, quiz):
    """Refuses a question that leaves a learner without feedback on an answer: an answer key is
    only as good as the explanation of the rule behind it. A true/false question needs feedback
    for both answers; every other kind for each option."""
    problems = []
    for spec in quiz.get("questions", []):
        if not isinstance(spec, dict):
            continue
        key = spec.get("key", "?")
        if spec.get("type") == "true_false":
            missing = [
                answer
                for answer in ("true", "false")
                if not str(spec.get(f"feedback_{answer}") or "").strip()
            ]
            if missing:
                answers = " and ".join(f"“{answer.title()}”" for answer in missing)
                problems.append(
                    f"Question {key} gives no feedback for the answer"
                    f"{'s' if len(missing) > 1 else ''} {answers}; say why it is right or wrong."
                )
            continue
        entries = next(
            (spec[name] for name in FEEDBACK_ENTRY_FIELDS if isinstance(spec.get(name), list)), []
        )
        missing = [
            str(number)
            for number, entry in enumerate(entries, start=1)
            if isinstance(entry, dict) and not str(entry.get("feedback") or "").strip()
        ]
        if missing:
            problems.append(
                f"Question {key} gives no feedback for option{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}; say why each is right or wrong."
            )
    return problems
