"""Pure rules for what an attempt draws from a quiz's bank: which questions (at random, optionally
per topic, critical questions always) and in what order, with options shuffled where asked.

The bank is a list of ``BankEntry``; nothing here touches the database."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BankEntry:
    id: int
    topic: str
    critical: bool


def draw_problems(*, bank, total, per_topic):
    """Why these settings cannot be met by this bank, as sentences for an author; empty if they can.

    ``total`` is the number of questions per attempt (None: all of them); ``per_topic`` maps a topic
    to how many of its questions each attempt draws. Questions of other topics fill the rest of
    ``total``; with no ``total``, only the listed topics are asked."""
    problems = []
    if not bank:
        return ["The quiz has no questions yet."]
    by_topic = _by_topic(bank)
    for topic, count in per_topic.items():
        entries = by_topic.get(topic, [])
        critical = sum(entry.critical for entry in entries)
        if not entries:
            problems.append(f"No question in the bank has the topic “{topic}”.")
        elif count > len(entries):
            problems.append(
                f"Topic “{topic}” has {len(entries)} question{'s' if len(entries) != 1 else ''}, "
                f"so {count} cannot be drawn from it."
            )
        elif critical > count:
            problems.append(
                f"Topic “{topic}” has {critical} critical questions, which are always asked, but only {count} are drawn from it."
            )
    if total is not None:
        drawn_by_topic = sum(per_topic.values())
        others = [entry for entry in bank if entry.topic not in per_topic]
        if total > len(bank):
            problems.append(f"The bank holds {len(bank)} questions, so {total} cannot be drawn per attempt.")
        elif drawn_by_topic > total:
            problems.append(
                f"The topic counts add up to {drawn_by_topic}, more than the {total} questions per attempt."
            )
        elif total - drawn_by_topic > len(others):
            problems.append(
                f"After the topic counts, {total - drawn_by_topic} questions must come from other topics, "
                f"but only {len(others)} are in the bank."
            )
        elif sum(entry.critical for entry in others) > total - drawn_by_topic:
            problems.append(
                "There are more critical questions, which are always asked, than questions drawn per attempt."
            )
    return problems


def questions_draw(*, bank, total, per_topic, shuffle, rng):
    """The entries one attempt asks, in the order shown. Call ``draw_problems`` first: settings it
    rejects raise ValueError here."""
    problems = draw_problems(bank=bank, total=total, per_topic=per_topic)
    if problems:
        raise ValueError(" ".join(problems))
    if total is None and not per_topic:
        chosen = list(bank)
    else:
        by_topic = _by_topic(bank)
        chosen = []
        for topic, count in per_topic.items():
            chosen += _draw(by_topic[topic], count, rng)
        if total is not None:
            others = [entry for entry in bank if entry.topic not in per_topic]
            chosen += _draw(others, total - sum(per_topic.values()), rng)
        position = {entry.id: index for index, entry in enumerate(bank)}
        chosen.sort(key=lambda entry: position[entry.id])
    if shuffle:
        rng.shuffle(chosen)
    return chosen


def _draw(entries, count, rng):
    """``count`` entries: every critical one, the rest at random."""
    critical = [entry for entry in entries if entry.critical]
    rest = [entry for entry in entries if not entry.critical]
    return critical + rng.sample(rest, count - len(critical))


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
