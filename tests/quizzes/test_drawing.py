"""What an attempt draws: respecting the bank, topics and critical questions, and giving a retry
new questions."""

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.drawing import (
    BankEntry,
    bank_without_superseded_citations,
    draw_problems,
    items_shuffle,
    questions_draw,
)


def bank_of(*topics, critical=()):
    return [
        BankEntry(id=index, topic=topic, critical=index in critical)
        for index, topic in enumerate(topics)
    ]


BANK = bank_of("a", "a", "a", "b", "b", "c", "c", "c", "c", critical={2})


def test_everything_in_authored_order_when_nothing_is_set():
    drawn = questions_draw(bank=BANK, total=None, per_topic={}, shuffle=False, rng=random.Random(1))
    assert [entry.id for entry in drawn] == list(range(9))


def test_a_total_draws_that_many_distinct_questions_always_including_critical_ones():
    for seed in range(50):
        drawn = questions_draw(
            bank=BANK, total=4, per_topic={}, shuffle=True, rng=random.Random(seed)
        )
        ids = [entry.id for entry in drawn]
        assert len(ids) == len(set(ids)) == 4
        assert 2 in ids


def test_the_draw_varies_between_attempts():
    draws = {
        tuple(
            entry.id
            for entry in questions_draw(
                bank=BANK, total=3, per_topic={}, shuffle=False, rng=random.Random(seed)
            )
        )
        for seed in range(30)
    }
    assert len(draws) > 5


def test_per_topic_counts_are_respected_and_other_topics_fill_the_rest():
    for seed in range(50):
        drawn = questions_draw(
            bank=BANK, total=6, per_topic={"a": 2, "b": 1}, shuffle=True, rng=random.Random(seed)
        )
        topics = [entry.topic for entry in drawn]
        assert (topics.count("a"), topics.count("b"), topics.count("c")) == (2, 1, 3)


def test_a_counted_topic_draws_among_all_its_questions_critical_or_not():
    drawn_from_a = set()
    for seed in range(60):
        drawn = questions_draw(
            bank=BANK, total=6, per_topic={"a": 2, "b": 1}, shuffle=True, rng=random.Random(seed)
        )
        drawn_from_a |= {entry.id for entry in drawn if entry.topic == "a"}
    assert drawn_from_a == {0, 1, 2}
    assert any(
        2
        not in [
            entry.id
            for entry in questions_draw(
                bank=BANK,
                total=6,
                per_topic={"a": 2, "b": 1},
                shuffle=False,
                rng=random.Random(seed),
            )
        ]
        for seed in range(60)
    )


def test_critical_questions_outside_counted_topics_are_always_asked():
    for seed in range(30):
        drawn = questions_draw(
            bank=BANK, total=5, per_topic={"c": 2}, shuffle=True, rng=random.Random(seed)
        )
        assert 2 in [entry.id for entry in drawn]


def test_per_topic_without_a_total_asks_the_listed_topics_and_every_critical_question():
    drawn = questions_draw(
        bank=BANK, total=None, per_topic={"c": 2}, shuffle=False, rng=random.Random(3)
    )
    assert [entry.topic for entry in drawn] == ["a", "c", "c"]
    assert drawn[0].id == 2
    plain = bank_of("a", "b", "c", "c")
    drawn = questions_draw(
        bank=plain, total=None, per_topic={"c": 1}, shuffle=False, rng=random.Random(3)
    )
    assert [entry.topic for entry in drawn] == ["c"]


def test_unshuffled_draws_keep_the_authored_order():
    drawn = questions_draw(bank=BANK, total=5, per_topic={}, shuffle=False, rng=random.Random(7))
    ids = [entry.id for entry in drawn]
    assert ids == sorted(ids)


@pytest.mark.parametrize(
    ("total", "per_topic", "message"),
    [
        (10, {}, "The bank holds 9 questions, so 10 cannot be drawn per attempt."),
        (None, {"b": 3}, "Topic “b” has 2 questions, so 3 cannot be drawn from it."),
        (None, {"z": 1}, "No question in the bank has the topic “z”."),
        (
            3,
            {"a": 2, "c": 2},
            "The topic counts add up to 4, more than the 3 questions per attempt.",
        ),
        (9, {"a": 1}, "only 6 are in the bank"),
        (5, {"a": 1, "b": 1}, None),
    ],
)
def test_settings_the_bank_cannot_meet_are_explained(total, per_topic, message):
    problems = draw_problems(bank=BANK, total=total, per_topic=per_topic)
    if message is None:
        assert problems == []
    else:
        assert any(message in problem for problem in problems), problems
        with pytest.raises(ValueError, match=re.escape(message)):
            questions_draw(
                bank=BANK, total=total, per_topic=per_topic, shuffle=False, rng=random.Random(1)
            )


def test_a_counted_topic_may_hold_more_critical_variants_than_it_draws():
    bank = bank_of("a", "a", "a", critical={0, 1})
    assert draw_problems(bank=bank, total=None, per_topic={"a": 1}) == []
    assert draw_problems(bank=bank, total=2, per_topic={"a": 1}) == [
        "After the topic counts, 1 questions must come from other topics, but only 0 are in the bank."
    ]


def test_more_critical_questions_outside_counted_topics_than_drawn_is_a_problem():
    bank = bank_of("a", "a", "b", "b", critical={0, 1})
    problems = draw_problems(bank=bank, total=3, per_topic={"b": 2})
    assert len(problems) == 1
    assert problems[0].startswith(
        "There are 2 critical questions outside the topics with a draw count"
    )
    assert "only 1 questions per attempt are left after the topic counts" in problems[0]
    assert draw_problems(bank=bank, total=1, per_topic={})[0].startswith(
        "There are 2 critical questions"
    )
    assert draw_problems(bank=bank, total=4, per_topic={"b": 2}) == []


def test_an_empty_bank_is_a_problem():
    assert draw_problems(bank=[], total=None, per_topic={}) == ["The quiz has no questions yet."]


@given(n=st.integers(2, 8), seed=st.integers())
def test_ordering_items_are_never_shown_in_the_correct_order(n, seed):
    items = list(range(n))
    shuffled = items_shuffle(options=items, rng=random.Random(seed))
    assert sorted(shuffled) == items
    assert shuffled != items


def _ids(drawn):
    return [entry.id for entry in drawn]


def _attempts(*, bank, total, per_topic, rng, count):
    """``count`` attempts in a row, each given the ones before it as history."""
    seen = []
    for _ in range(count):
        seen.append(
            _ids(
                questions_draw(
                    bank=bank, total=total, per_topic=per_topic, shuffle=True, rng=rng, seen=seen
                )
            )
        )
    return seen


def test_with_a_bank_twice_the_draw_a_retry_sees_none_of_the_first_attempts_questions():
    bank = bank_of(*["a"] * 6, *["b"] * 4, *["c"] * 10)
    for seed in range(20):
        first, second = _attempts(
            bank=bank, total=10, per_topic={"a": 3, "b": 2}, rng=random.Random(seed), count=2
        )
        assert len(first) == len(second) == 10
        assert not set(first) & set(second)


def test_critical_variants_of_one_rule_rotate_between_attempts():
    variants = bank_of("ripa", "ripa", "ripa", "other", "other", critical={0, 1, 2})
    for seed in range(20):
        attempts = _attempts(
            bank=variants, total=2, per_topic={"ripa": 1}, rng=random.Random(seed), count=6
        )
        asked = [[qid for qid in ids if qid in {0, 1, 2}] for ids in attempts]
        assert all(len(ids) == 1 for ids in asked)  # one variant per attempt
        assert {ids[0] for ids in asked[:3]} == {0, 1, 2}  # every variant before any repeats
        assert {ids[0] for ids in asked[3:]} == {0, 1, 2}  # then the least recently asked first


def _retry(*, size, draw, seen, right, seed):
    """The ids a retry at a one-topic bank of ``size`` asks, ``draw`` per attempt, in bank order."""
    drawn = questions_draw(
        bank=bank_of(*["a"] * size),
        total=draw,
        per_topic={"a": draw},
        shuffle=False,
        rng=random.Random(seed),
        seen=seen,
        answered_right=right,
    )
    return _ids(drawn)


def test_a_repeat_asks_again_first_what_the_person_has_not_answered_right():
    """When a pool has too few unseen questions left, the repeats are the questions the person
    missed: one they answered right could be answered from the last result page alone."""
    for seed in range(20):
        for right, repeated in (({0}, 1), ({1}, 0)):
            asked = _retry(size=3, draw=2, seen=[[0, 1]], right=right, seed=seed)
            assert sorted(asked) == sorted([2, repeated])


def test_among_missed_questions_the_least_recently_shown_comes_back_first():
    for seed in range(20):
        asked = _retry(size=4, draw=1, seen=[[0], [1], [2], [3]], right={0}, seed=seed)
        assert asked == [1]


@st.composite
def banks_and_settings(draw):
    topics = draw(st.lists(st.sampled_from("abcd"), min_size=1, max_size=16))
    critical = draw(st.sets(st.integers(0, len(topics) - 1), max_size=3))
    bank = bank_of(*topics, critical=critical)
    by_topic = {}
    for entry in bank:
        by_topic.setdefault(entry.topic, []).append(entry)
    counted = draw(st.sets(st.sampled_from(sorted(by_topic))))
    per_topic = {topic: draw(st.integers(1, len(by_topic[topic]))) for topic in sorted(counted)}
    others = [entry for entry in bank if entry.topic not in per_topic]
    always = sum(entry.critical for entry in others)
    low = sum(per_topic.values()) + always
    high = sum(per_topic.values()) + len(others)
    total = draw(st.one_of(st.none(), st.integers(max(low, 1), high)))
    assert draw_problems(bank=bank, total=total, per_topic=per_topic) == []
    return bank, total, per_topic


@given(settings=banks_and_settings(), attempts=st.integers(1, 5), seed=st.integers())
def test_a_retry_never_repeats_more_questions_than_it_must(settings, attempts, seed):
    bank, total, per_topic = settings
    rng = random.Random(seed)
    seen = _attempts(bank=bank, total=total, per_topic=per_topic, rng=rng, count=attempts)
    drawn = questions_draw(
        bank=bank, total=total, per_topic=per_topic, shuffle=True, rng=rng, seen=seen
    )
    shown_before = {qid for ids in seen for qid in ids}
    drawn_ids = set(_ids(drawn))
    assert len(drawn_ids) == len(drawn)
    pools = {topic: [e for e in bank if e.topic == topic] for topic in per_topic}
    others = [e for e in bank if e.topic not in per_topic]
    for topic, count in per_topic.items():
        pool = {e.id for e in pools[topic]}
        assert len(drawn_ids & pool) == count
        assert len(drawn_ids & pool & shown_before) == max(0, count - len(pool - shown_before))
    assert {e.id for e in others if e.critical} <= drawn_ids
    if total is not None:
        rest = {e.id for e in others if not e.critical}
        wanted = total - sum(per_topic.values()) - sum(e.critical for e in others)
        assert len(drawn_ids & rest) == wanted
        assert len(drawn_ids & rest & shown_before) == max(0, wanted - len(rest - shown_before))
        assert len(drawn) == total


@given(settings=banks_and_settings(), attempts=st.integers(1, 4), seed=st.integers())
def test_a_question_answered_right_is_repeated_only_when_nothing_missed_is_left(
    settings, attempts, seed
):
    bank, total, per_topic = settings
    rng = random.Random(seed)
    seen = _attempts(bank=bank, total=total, per_topic=per_topic, rng=rng, count=attempts)
    shown_before = {qid for ids in seen for qid in ids}
    right = {qid for qid in sorted(shown_before) if rng.random() < 0.5}
    drawn_ids = set(
        _ids(
            questions_draw(
                bank=bank,
                total=total,
                per_topic=per_topic,
                shuffle=True,
                rng=rng,
                seen=seen,
                answered_right=right,
            )
        )
    )
    others = [e for e in bank if e.topic not in per_topic and not e.critical]
    pools = [[e for e in bank if e.topic == topic] for topic in per_topic] + [others]
    for pool in pools:
        ids = {e.id for e in pool}
        if drawn_ids & ids & right:
            assert ids - right <= drawn_ids  # every unseen and every missed one came first


@given(settings=banks_and_settings(), seed=st.integers())
def test_a_seeded_draw_is_reproducible(settings, seed):
    bank, total, per_topic = settings
    seen = _attempts(bank=bank, total=total, per_topic=per_topic, rng=random.Random(seed), count=2)
    again = [
        _ids(
            questions_draw(
                bank=bank,
                total=total,
                per_topic=per_topic,
                shuffle=True,
                rng=random.Random(seed),
                seen=seen,
            )
        )
        for _ in range(2)
    ]
    assert again[0] == again[1]


def test_questions_citing_a_replaced_clause_version_are_never_drawn():
    bank = [
        BankEntry(id=1, topic="a", critical=True, cites_superseded=True),
        BankEntry(id=2, topic="a", critical=False),
        BankEntry(id=3, topic="a", critical=False, cites_superseded=True),
        BankEntry(id=4, topic="b", critical=False),
    ]
    drawable = bank_without_superseded_citations(bank)
    assert [entry.id for entry in drawable] == [2, 4]
    for seed in range(20):
        drawn = questions_draw(
            bank=drawable, total=2, per_topic={}, shuffle=True, rng=random.Random(seed)
        )
        assert {entry.id for entry in drawn} == {2, 4}
    # Asking for more than is left is refused with the reason, never padded with stale questions.
    assert draw_problems(bank=drawable, total=3, per_topic={})
