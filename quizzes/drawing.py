"""Pure rules for what an attempt draws from a quiz's bank: which questions and in what order,
with options shuffled where asked.

- A topic with a draw count asks that many of its questions, chosen among all of them, critical or
  not: such a topic can hold several variants of one critical rule, and each attempt asks one.
- Critical questions outside the counted topics are always asked.
- A retry sees new questions first: within each topic (and among the other questions) the draw
  takes questions the person has not been shown before, then those they were shown but have never
  answered right, then the ones they have answered right; the least recently shown first within
  each, at random among equals. Repeats happen only when a pool has too few unseen questions left,
  and then ask again what the person missed: a question they answered right is the one a learner
  could answer from the last result page alone, while one they missed is answered right only by
  someone who has learnt its rule since.

- A question citing a clause version that a newer version has replaced is left out of every new
  draw until an author moves it on to the current version (``bank_without_superseded_citations``).

Whose policy applies (``draw_for_audience``): a learner is drawn only the questions that apply to
their organisation, with the quiz's counts cut to what those questions can meet.

The bank is a list of ``BankEntry``; nothing here touches the database."""

import math
from dataclasses import dataclass

# A pool a draw takes from holds at least this many times what it takes, so that a retry can be
# all new questions (``retry_problems``, and ``content_checks.bank_size_problems`` for the bank).
BANK_TO_DRAW_RATIO = 2


@dataclass(frozen=True)
class BankEntry:
    id: int
    topic: str
    critical: bool
    # Cites a clause version that a newer one has replaced (modules.selectors.policy_clauses_superseded).
    cites_superseded: bool = False


def bank_without_superseded_citations(bank):
    """The entries a new draw may ask: none that still cites a replaced clause version, because
    its key may teach the rule as it was. Authors move such questions on to the current version
    (modules.services.clause_citations_move); until then the quiz's warnings name them."""
    return [entry for entry in bank if not entry.cites_superseded]


def draw_problems(*, bank, total, per_topic):
    """Why these settings cannot be met by this bank, as sentences for an author; empty if they can.

    ``total`` is the number of questions per attempt (None: all of them); ``per_topic`` maps a topic
    to how many of its questions each attempt draws. Questions of other topics fill the rest of
    ``total``; with no ``total``, the listed topics are asked, plus every critical question outside
    them."""
    problems = []
    if not bank:
        return ["The quiz has no questions yet."]
    by_topic = _by_topic(bank)
    for topic, count in per_topic.items():
        entries = by_topic.get(topic, [])
        if not entries:
            problems.append(f"No question in the bank has the topic “{topic}”.")
        elif count > len(entries):
            problems.append(
                f"Topic “{topic}” has {len(entries)} question{'s' if len(entries) != 1 else ''}, "
                f"so {count} cannot be drawn from it."
            )
    if total is not None:
        drawn_by_topic = sum(per_topic.values())
        others = [entry for entry in bank if entry.topic not in per_topic]
        left = total - drawn_by_topic
        critical = sum(entry.critical for entry in others)
        if total > len(bank):
            problems.append(
                f"The bank holds {len(bank)} questions, so {total} cannot be drawn per attempt."
            )
        elif drawn_by_topic > total:
            problems.append(
                f"The topic counts add up to {drawn_by_topic}, more than the {total} questions per attempt."
            )
        elif left > len(others):
            problems.append(
                f"After the topic counts, {left} questions must come from other topics, "
                f"but only {len(others)} are in the bank."
            )
        elif critical > left:
            problems.append(
                f"There are {critical} critical questions outside the topics with a draw count, and they are "
                f"always asked, but only {left} questions per attempt are left after the topic counts. Raise the "
                "number of questions per attempt, or give those questions a topic with a draw count (variants of "
                "one rule, of which each attempt asks as many as the count)."
            )
    return problems


@dataclass(frozen=True)
class AudienceDraw:
    """The bank and counts one learner's attempt draws with, and why it cannot (empty if it can)."""

    bank: list
    total: int | None
    per_topic: dict
    problems: list


# A learner's draw may shrink to the questions that apply to them, but not below this share of
# the quiz's own size: fewer would be a token quiz, decided by one or two answers.
AUDIENCE_MINIMUM_SHARE = 0.5


def draw_for_audience(*, bank, applicable_ids, total, per_topic):
    """Whose policy applies: the draw for a learner to whom only the questions ``applicable_ids``
    apply (a question applies when every document it cites applies to the learner's
    organisation: an answer resting on another organisation's rule is never asked).

    The other questions leave the bank; each topic count is cut to the topic's applicable
    questions (a topic with none is dropped), and raised again, roomiest topic first, where the
    rest cannot fill the total; the total is cut to what the applicable questions can fill, keeping room
    for the critical questions that are always asked. Settings the full bank meets are still met.
    ``problems`` says why no fair attempt can be drawn: nothing applies, or fewer questions apply
    than ``AUDIENCE_MINIMUM_SHARE`` of the quiz's size."""
    applicable_ids = set(applicable_ids)
    own = [entry for entry in bank if entry.id in applicable_ids]
    by_topic = _by_topic(own)
    counts = {
        topic: min(count, len(by_topic[topic]))
        for topic, count in per_topic.items()
        if by_topic.get(topic)
    }
    # Critical questions outside the counted topics are always asked, so the total keeps room.
    needed = sum(counts.values()) + sum(
        entry.critical for entry in own if entry.topic not in counts
    )
    # A counted topic gives no more than its count, so only its count and the other questions can
    # fill the total. Where they fall short of it (the learner's organisation has no questions in
    # some topics), the topics that apply give more of theirs, one at a time, each time from the
    # topic with the most questions left undrawn (the first such in the quiz's order), so that an
    # attempt is as long as the quiz's wherever enough questions apply, and a retry can still
    # differ: raising a small topic would ask all of it every time.
    drawable = sum(counts.values()) + sum(entry.topic not in counts for entry in own)
    if total is not None:
        target = min(total, len(own))
        spare = {topic: len(by_topic[topic]) - count for topic, count in counts.items()}
        while drawable < target:
            roomiest = max(spare, key=spare.get, default=None)
            if roomiest is None or not spare[roomiest]:
                break
            counts[roomiest] += 1
            spare[roomiest] -= 1
            drawable += 1
    own_total = None if total is None else max(min(total, drawable), needed)
    if total is not None:
        full_size = total
    elif per_topic:
        full_size = sum(per_topic.values()) + sum(
            entry.critical for entry in bank if entry.topic not in per_topic
        )
    else:
        full_size = len(bank)
    size = own_total if own_total is not None else (needed if counts else len(own))
    problems = []
    if not own:
        problems.append("No question of this quiz rests on a policy that applies to the learner.")
    elif size < math.ceil(full_size * AUDIENCE_MINIMUM_SHARE):
        problems.append(
            f"Only {size} question{'s' if size != 1 else ''} per attempt can be drawn from the "
            f"{len(own)} that apply, fewer than half of the quiz's {full_size}."
        )
    else:
        problems += draw_problems(bank=own, total=own_total, per_topic=counts)
    return AudienceDraw(bank=own, total=own_total, per_topic=counts, problems=problems)


def retry_problems(*, bank, total, per_topic):
    """Why a retry drawn with these settings would ask mostly what the last attempt asked, as
    sentences for an author; empty when every pool the draw takes from holds at least
    ``BANK_TO_DRAW_RATIO`` times what it takes, so that a retry can be all new questions.

    Meant for the draw one audience gets (``draw_for_audience``): the whole bank can meet the
    quiz's ratio while an organisation's share of it is all asked every time, and then a retry
    measures memory of the last attempt rather than the policy. Critical questions outside the
    counted topics are always asked by design and are not a pool."""
    problems = []
    by_topic = _by_topic(bank)
    for topic, count in per_topic.items():
        held = len(by_topic.get(topic, []))
        if held < BANK_TO_DRAW_RATIO * count:
            problems.append(
                f"Topic “{topic}” has {held} question{'s' if held != 1 else ''} and "
                f"{count} {'is' if count == 1 else 'are'} drawn from it per attempt; it needs at "
                f"least {BANK_TO_DRAW_RATIO * count} so that a retry can see different questions."
            )
    # With no total, the counted topics and the critical questions are all an attempt asks (a
    # quiz that asks its whole bank is the author's choice, as in ``draw_problems``).
    others = [entry for entry in bank if entry.topic not in per_topic and not entry.critical]
    always = sum(entry.critical for entry in bank if entry.topic not in per_topic)
    taken = 0 if total is None else total - sum(per_topic.values()) - always
    if taken > 0 and len(others) < BANK_TO_DRAW_RATIO * taken:
        problems.append(
            f"{taken} question{'s' if taken != 1 else ''} per attempt come"
            f"{'s' if taken == 1 else ''} from outside the counted topics, where {len(others)} "
            f"{'is' if len(others) == 1 else 'are'} held; at least "
            f"{BANK_TO_DRAW_RATIO * taken} are needed so that a retry can see different questions."
        )
    return problems


def questions_draw(*, bank, total, per_topic, shuffle, rng, seen=(), answered_right=frozenset()):
    """The entries one attempt asks, in the order shown. Call ``draw_problems`` first: settings it
    rejects raise ValueError here.

    ``seen`` holds, for each of the person's earlier attempts at this quiz (oldest first), the ids
    of the questions it showed; ``answered_right`` the ids of those the person has answered right
    in any of them. Within each pool the draw prefers questions never shown, then those shown but
    never answered right, then the rest; the least recently shown first within each; ties are
    broken with ``rng``, so a seeded ``rng`` gives the same draw."""
    problems = draw_problems(bank=bank, total=total, per_topic=per_topic)
    if problems:
        raise ValueError(" ".join(problems))
    if total is None and not per_topic:
        chosen = list(bank)
    else:
        last_seen = {}
        for number, ids in enumerate(seen):
            for question_id in ids:
                last_seen[question_id] = number
        by_topic = _by_topic(bank)
        chosen = []
        for topic, count in per_topic.items():
            chosen += _freshest(
                by_topic[topic], count, last_seen=last_seen, right=answered_right, rng=rng
            )
        others = [entry for entry in bank if entry.topic not in per_topic]
        always = [entry for entry in others if entry.critical]
        chosen += always
        if total is not None:
            rest = [entry for entry in others if not entry.critical]
            chosen += _freshest(
                rest,
                total - sum(per_topic.values()) - len(always),
                last_seen=last_seen,
                right=answered_right,
                rng=rng,
            )
        position = {entry.id: index for index, entry in enumerate(bank)}
        chosen.sort(key=lambda entry: position[entry.id])
    if shuffle:
        rng.shuffle(chosen)
    return chosen


def _freshest(entries, count, *, last_seen, right, rng):
    """``count`` of ``entries``: never shown first, then shown but never answered right, then
    answered right; the least recently shown first within each, at random among equals."""
    keyed = [
        (
            0 if entry.id not in last_seen else 2 if entry.id in right else 1,
            last_seen.get(entry.id, -1),
            rng.random(),
            entry,
        )
        for entry in entries
    ]
    keyed.sort(key=lambda item: item[:3])
    return [entry for *_, entry in keyed[:count]]


def _by_topic(bank):
    by_topic = {}
    for entry in bank:
        by_topic.setdefault(entry.topic, []).append(entry)
    return by_topic


def options_order(*, options, shuffle, rng):
    """The options in the order shown: shuffled when asked, otherwise as authored."""
    options = list(options)
    if shuffle:
        rng.shuffle(options)
    return options


def items_shuffle(*, options, rng):
    """Ordering items are always shuffled, and never shown already in the correct order."""
    shuffled = list(options)
    rng.shuffle(shuffled)
    if len(shuffled) > 1 and shuffled == list(options):
        shuffled = shuffled[1:] + shuffled[:1]
    return shuffled
