"""Item analysis of one quiz: how each question (and each version of it) performed, from the
scored attempts alone. Pure: it takes the attempts as plain data and touches no database, so
every figure can be checked by hand (``tests/quizzes/test_item_analysis.py``).

The statistics are Moodle's quiz statistics ("Quiz statistics calculations", MoodleDocs,
https://docs.moodle.org/dev/Quiz_statistics_calculations; meanings in "Quiz report statistics",
https://docs.moodle.org/dev/Quiz_report_statistics). For a question with score ``x`` (out of
``max``) in each of ``n`` attempts, and ``X`` the score on the *rest* of the attempt (the
attempt's total minus ``x``):

- **Facility index**: the mean score as a share of the maximum, as a percentage
  (``100 * mean(x) / max``; the minimum score is 0 here, so Moodle's ``(mean - min) / (max - min)``
  reduces to this). Higher is easier.
- **Standard deviation**: the sample standard deviation of ``x`` (divisor ``n - 1``), as a
  percentage of the maximum, as Moodle shows it.
- **Discrimination index**: the correlation of ``x`` with ``X``,
  ``C(x, X) / sqrt(V(x) V(X))`` with sample covariance and variances. Shown here as a
  coefficient from -1 to 1 (Moodle shows it times 100). Correlating with the rest of the
  attempt, not the whole, keeps the question from correlating with itself.
- **Discriminative efficiency**: the discrimination index as a share of the largest it could be
  given these scores: ``100 * C(x, X) / Cmax(x, X)``, where ``Cmax`` is the covariance obtained
  when the ``x`` and the ``X`` are each sorted and paired in the same order (the best agreement
  these very values allow). It corrects for a very easy or very hard question, which cannot
  correlate strongly however good it is.

A statistic that the data cannot give is ``None``, never 0: with one attempt there is no standard
deviation or correlation; when every attempt scored the same on the question (or on the rest of
the quiz) there is no correlation either.

Moodle bases the analysis on each person's first attempt (later ones are not independent); the
caller chooses which attempts to pass (``quizzes.selectors.item_analysis_attempts``). Each attempt
is treated as one independent sitting.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .kinds import kind_of
from .kinds.scenario_judgement import JUDGEMENT_LABELS

TOO_EASY_ABOVE = 95  # facility index, %
TOO_HARD_BELOW = 20  # facility index, %
DISCRIMINATES_FROM = 0.1  # discrimination index

TOO_EASY = "Too easy"
TOO_HARD = "Too hard"
DOES_NOT_DISCRIMINATE = "Does not discriminate"
UNPICKED_DISTRACTOR = "Distractor nobody picks"
NO_ANSWER = "No answer"


@dataclass(frozen=True)
class ResponseCount:
    """How many attempts gave ``response`` for ``item`` (an option, a step or an action).
    ``keyed`` says whether that is what the policy expects."""

    item: str
    response: str
    count: int
    keyed: bool | None


@dataclass(frozen=True)
class ItemStatistics:
    """One question, or one version of it (``version`` None: every version together)."""

    question_id: int
    version: str | None
    type: str
    text: str
    attempts: int
    facility: float | None
    standard_deviation: float | None
    discrimination: float | None
    efficiency: float | None
    responses: tuple = field(default_factory=tuple)
    flags: tuple = field(default_factory=tuple)


@dataclass
class _Observations:
    question: dict  # the (latest seen) snapshot
    scores: list = field(default_factory=list)  # (points, max points, rest of the attempt)
    responses: list = field(default_factory=list)  # response, or None when unanswered


def item_analysis(*, attempts):
    """The statistics of every question of the attempts, in the order first met.

    ``attempts`` is an iterable of dicts with the attempt's ``questions`` (the snapshots),
    ``results`` (``[{"question": id, "points": ..., "max_points": ...}]``) and ``answers``
    (question id -> parsed response; a question left unanswered when time ran out has none).
    For a question asked in more than one version, a row for every version follows the row for
    the question as a whole."""
    by_variant = {}
    for attempt in attempts:
        points = {
            str(result["question"]): (Decimal(result["points"]), Decimal(result["max_points"]))
            for result in attempt["results"]
        }
        total = sum((earned for earned, _ in points.values()), Decimal(0))
        for question in attempt["questions"]:
            question_id = str(question["id"])
            earned, maximum = points[question_id]
            observations = by_variant.setdefault(
                (question["id"], question["version"]), _Observations(question=question)
            )
            observations.scores.append((earned, maximum, total - earned))
            observations.responses.append(attempt["answers"].get(question_id))

    by_question = {}
    for (question_id, _version), observations in by_variant.items():
        by_question.setdefault(question_id, []).append(observations)

    rows = []
    for variants in by_question.values():
        if len(variants) > 1:
            rows.append(
                _statistics(
                    question=variants[-1].question,
                    version=None,
                    scores=[score for variant in variants for score in variant.scores],
                    responses=(),
                    # A distractor counts as unpicked only if no version of it was picked.
                    unpicked=sorted(set.intersection(*(set(_unpicked(v)) for v in variants))),
                )
            )
        for variant in variants:
            rows.append(
                _statistics(
                    question=variant.question,
                    version=variant.question["version"],
                    scores=variant.scores,
                    responses=_responses(variant),
                    unpicked=_unpicked(variant),
                )
            )
    return rows


def _statistics(*, question, version, scores, responses, unpicked):
    count = len(scores)
    x = [float(earned) for earned, _, _ in scores]
    rest = [float(rest) for _, _, rest in scores]
    maximum = float(max((maximum for _, maximum, _ in scores), default=0)) or None
    facility = 100 * _mean(x) / maximum if count and maximum else None
    variance = _covariance(x, x)
    standard_deviation = (
        100 * math.sqrt(variance) / maximum if variance is not None and maximum else None
    )
    discrimination = _correlation(x, rest)
    efficiency = _efficiency(x, rest)
    return _item_row(
        question=question,
        version=version,
        count=count,
        facility=facility,
        standard_deviation=standard_deviation,
        discrimination=discrimination,
        efficiency=efficiency,
        responses=responses,
        unpicked=unpicked,
    )


def _item_row(
    *,
    question,
    version,
    count,
    facility,
    standard_deviation,
    discrimination,
    efficiency,
    responses,
    unpicked,
):
    """One row, however its figures were worked out (from every score, or from the sums)."""
    return ItemStatistics(
        question_id=question["id"],
        version=version,
        type=question["type"],
        text=question["text"],
        attempts=count,
        facility=facility,
        standard_deviation=standard_deviation,
        discrimination=discrimination,
        efficiency=efficiency,
        responses=tuple(responses),
        flags=tuple(_flags(facility, discrimination, unpicked)),
    )


def _flags(facility, discrimination, unpicked):
    if facility is not None and facility > TOO_EASY_ABOVE:
        yield TOO_EASY
    if facility is not None and facility < TOO_HARD_BELOW:
        yield TOO_HARD
    if discrimination is None or discrimination < DISCRIMINATES_FROM:
        yield DOES_NOT_DISCRIMINATE
    for text in dict.fromkeys(unpicked):
        yield f"{UNPICKED_DISTRACTOR}: {text}"


def _mean(values):
    return sum(values) / len(values)


def _covariance(x, y):
    """The sample covariance (divisor n - 1); None for fewer than two values."""
    if len(x) < 2:
        return None
    mean_x, mean_y = _mean(x), _mean(y)
    return sum((a - mean_x) * (b - mean_y) for a, b in zip(x, y, strict=True)) / (len(x) - 1)


def _correlation(x, y):
    covariance = _covariance(x, y)
    if covariance is None:
        return None
    spread = _covariance(x, x) * _covariance(y, y)
    return covariance / math.sqrt(spread) if spread > 0 else None


def _efficiency(x, y):
    covariance = _covariance(x, y)
    if covariance is None:
        return None
    best = _covariance(sorted(x), sorted(y))
    return 100 * covariance / best if best > 0 else None


# How often each response was given, kind by kind: per option for kinds answered by choosing
# options, per item (and each value it could take) for kinds answered item by item.


def _choices(question, responses):
    chosen = [
        ({response} if isinstance(response, str) else set(response), times)
        for response, times in responses
        if response is not None
    ]
    return [
        ResponseCount(
            item=option["text"],
            response="Chosen",
            count=sum(times for picks, times in chosen if option["id"] in picks),
            keyed=option["correct"],
        )
        for option in question["options"]
    ]


def _positions(question, responses):
    steps = sorted(question["options"], key=lambda option: option["position"])
    given = [
        ({option_id: position for position, option_id in enumerate(response, start=1)}, times)
        for response, times in responses
        if response is not None
    ]
    return [
        ResponseCount(
            item=step["text"],
            response=f"Position {position}",
            count=sum(times for order, times in given if order.get(step["id"]) == position),
            keyed=position == step["position"],
        )
        for step in steps
        for position in range(1, len(steps) + 1)
    ]


def _judgements(question, responses):
    given = [(response, times) for response, times in responses if response is not None]
    return [
        ResponseCount(
            item=action["text"],
            response=JUDGEMENT_LABELS[value],
            count=sum(
                times for judgements, times in given if judgements.get(action["id"]) is value
            ),
            keyed=value == action["appropriate"],
        )
        for action in question["options"]
        for value in (True, False)
    ]


TALLIES = {
    "single_choice": _choices,
    "true_false": _choices,
    "multiple_response": _choices,
    "ordering": _positions,
    "scenario_judgement": _judgements,
}
# Kinds whose wrong options are distractors, chosen or not as a whole.
DISTRACTOR_KINDS = {"single_choice", "true_false", "multiple_response"}


def _responses(variant):
    return response_counts(question=variant.question, responses=_once_each(variant.responses))


def _unpicked(variant):
    """The wrong options of a choice question that no attempt chose (none without attempts)."""
    if not variant.scores:
        return []
    return unpicked_distractors(question=variant.question, responses=_once_each(variant.responses))


def _once_each(responses):
    return [(response, 1) for response in responses]


def response_counts(*, question, responses):
    """How often each response was given. ``responses``: (parsed response or None, how many
    attempts gave it) pairs, each response listed once or more."""
    counts = TALLIES[kind_of(question).name](question, responses)
    unanswered = sum(times for response, times in responses if response is None)
    if unanswered:
        counts.append(ResponseCount(item="", response=NO_ANSWER, count=unanswered, keyed=None))
    return counts


def unpicked_distractors(*, question, responses):
    """The wrong options of a choice question that none of ``responses`` (as for
    ``response_counts``) chose."""
    if question["type"] not in DISTRACTOR_KINDS:
        return []
    return [
        count.item
        for count in _choices(question, responses)
        if not count.keyed and count.count == 0
    ]


# The same statistics from the attempts grouped by the database (``quizzes.selectors.
# quiz_item_analysis``): each distinct (score, rest of the attempt) pair once, with how many
# attempts had it, so that no attempt passes through Python. Scores are in hundredths of a point,
# as whole numbers, so that the sums are exact and a spread of nothing is exactly 0.


@dataclass(frozen=True)
class ScoreSums:
    """Over the ``count`` attempts of a question (or a version of it), with ``x`` its score and
    ``rest`` the rest of the attempt's, in hundredths of a point: the sums of x, x², rest,
    rest², x·rest, and of x·rest with each sorted on its own and paired by rank (for the
    discriminative efficiency). ``maximum``: the largest maximum score, in points."""

    count: int
    x: int
    xx: int
    rest: int
    rest_rest: int
    x_rest: int
    sorted_x_rest: int
    maximum: Decimal | None


def score_sums(*, pairs, maximum):
    """The ``ScoreSums`` of ``pairs``: {(x, rest): how many attempts had that pair}, both in
    hundredths of a point. The sorted pairing pairs the k-th smallest x with the k-th smallest
    rest; each distinct value holds a run of ranks, so two runs that overlap add their product
    once for every rank they share (a walk over a few runs, not over every attempt)."""
    x_runs, rest_runs = defaultdict(int), defaultdict(int)
    count = x = xx = rest = rest_rest = x_rest = 0
    for (score, rest_score), times in pairs.items():
        count += times
        x += times * score
        xx += times * score * score
        rest += times * rest_score
        rest_rest += times * rest_score * rest_score
        x_rest += times * score * rest_score
        x_runs[score] += times
        rest_runs[rest_score] += times
    return ScoreSums(
        count=count,
        x=x,
        xx=xx,
        rest=rest,
        rest_rest=rest_rest,
        x_rest=x_rest,
        sorted_x_rest=_sorted_products(sorted(x_runs.items()), sorted(rest_runs.items())),
        maximum=maximum,
    )


def _sorted_products(x_runs, rest_runs):
    """The sum of x·rest with both sorted and paired by rank, from (value, times) runs, each list
    in ascending order and covering the same number of ranks."""
    total, x_index, rest_index = 0, 0, 0
    x_left = x_runs[0][1] if x_runs else 0
    rest_left = rest_runs[0][1] if rest_runs else 0
    while x_index < len(x_runs) and rest_index < len(rest_runs):
        shared = min(x_left, rest_left)
        total += shared * x_runs[x_index][0] * rest_runs[rest_index][0]
        x_left -= shared
        rest_left -= shared
        if not x_left:
            x_index += 1
            x_left = x_runs[x_index][1] if x_index < len(x_runs) else 0
        if not rest_left:
            rest_index += 1
            rest_left = rest_runs[rest_index][1] if rest_index < len(rest_runs) else 0
    return total


def item_statistics(*, question, version, sums, responses, unpicked):
    """One row of ``item_analysis``, from ``sums`` (``ScoreSums``) instead of every score."""
    count = sums.count
    maximum = float(sums.maximum or 0) or None
    facility = 100 * (sums.x / 100 / count) / maximum if count and maximum else None
    standard_deviation = discrimination = efficiency = None
    if count >= 2:
        # n * (n - 1) * 100² times the sample (co)variances: exact whole numbers.
        spread_x = count * sums.xx - sums.x * sums.x
        spread_rest = count * sums.rest_rest - sums.rest * sums.rest
        together = count * sums.x_rest - sums.x * sums.rest
        best = count * sums.sorted_x_rest - sums.x * sums.rest
        if maximum:
            variance = spread_x / (count * (count - 1)) / 10_000
            standard_deviation = 100 * math.sqrt(variance) / maximum
        if spread_x * spread_rest > 0:
            discrimination = together / math.sqrt(spread_x * spread_rest)
        if best > 0:
            efficiency = 100 * together / best
    return _item_row(
        question=question,
        version=version,
        count=count,
        facility=facility,
        standard_deviation=standard_deviation,
        discrimination=discrimination,
        efficiency=efficiency,
        responses=responses,
        unpicked=unpicked,
    )
