"""What an attempt draws: respecting the bank, topics and critical questions."""

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.drawing import BankEntry, draw_problems, items_shuffle, questions_draw


def bank_of(*topics, critical=()):
    return [BankEntry(id=index, topic=topic, critical=index in critical) for index, topic in enumerate(topics)]


BANK = bank_of("a", "a", "a", "b", "b", "c", "c", "c", "c", critical={2})


def test_everything_in_authored_order_when_nothing_is_set():
    drawn = questions_draw(bank=BANK, total=None, per_topic={}, shuffle=False, rng=random.Random(1))
    assert [entry.id for entry in drawn] == list(range(9))


def test_a_total_draws_that_many_distinct_questions_always_including_critical_ones():
    for seed in range(50):
        drawn = questions_draw(bank=BANK, total=4, per_topic={}, shuffle=True, rng=random.Random(seed))
        ids = [entry.id for entry in drawn]
        assert len(ids) == len(set(ids)) == 4
        assert 2 in ids


def test_the_draw_varies_between_attempts():
    draws = {
        tuple(entry.id for entry in questions_draw(bank=BANK, total=3, per_topic={}, shuffle=False, rng=random.Random(seed)))
        for seed in range(30)
    }
    assert len(draws) > 5


def test_per_topic_counts_are_respected_and_other_topics_fill_the_rest():
    for seed in range(50):
        drawn = questions_draw(bank=BANK, total=6, per_topic={"a": 2, "b": 1}, shuffle=True, rng=random.Random(seed))
        topics = [entry.topic for entry in drawn]
        assert (topics.count("a"), topics.count("b"), topics.count("c")) == (2, 1, 3)
        assert 2 in [entry.id for entry in drawn]  # the critical question of topic a


def test_per_topic_without_a_total_asks_only_the_listed_topics():
    drawn = questions_draw(bank=BANK, total=None, per_topic={"c": 2}, shuffle=False, rng=random.Random(3))
    assert [entry.topic for entry in drawn] == ["c", "c"]


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
        (3, {"a": 2, "c": 2}, "The topic counts add up to 4, more than the 3 questions per attempt."),
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
            questions_draw(bank=BANK, total=total, per_topic=per_topic, shuffle=False, rng=random.Random(1))


def test_more_critical_questions_than_drawn_is_a_problem():
    bank = bank_of("a", "a", "a", critical={0, 1})
    assert draw_problems(bank=bank, total=None, per_topic={"a": 1}) == [
        "Topic “a” has 2 critical questions, which are always asked, but only 1 are drawn from it."
    ]
    assert "more critical questions" in draw_problems(bank=bank, total=1, per_topic={})[0]


def test_an_empty_bank_is_a_problem():
    assert draw_problems(bank=[], total=None, per_topic={}) == ["The quiz has no questions yet."]


@given(n=st.integers(2, 8), seed=st.integers())
def test_ordering_items_are_never_shown_in_the_correct_order(n, seed):
    items = list(range(n))
    shuffled = items_shuffle(options=items, rng=random.Random(seed))
    assert sorted(shuffled) == items
    assert shuffled != items
