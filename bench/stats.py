"""Figures, their spread and the results file: the part of the harness that its tests check."""

import json
import math
import statistics
from dataclasses import dataclass, field

SCHEMA_VERSION = 1
FIGURE_FIELDS = (
    "name",
    "value",
    "unit",
    "yardstick",
    "yardstick_value",
    "ratio",
    "runs",
    "min",
    "median",
    "max",
)


def spread(values):
    """min, median and max of the rounds (the median is the figure: one noisy round moves it least)."""
    if not values:
        raise ValueError("a figure needs at least one round")
    return min(values), statistics.median(values), max(values)


def percentile(values, fraction):
    """Nearest-rank percentile (p95 of 20 latencies is the 19th smallest), as load tools report it."""
    if not values:
        raise ValueError("no values")
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def ratio(value, yardstick):
    return None if not yardstick else value / yardstick


@dataclass
class Figure:
    """One measured figure against the yardstick measured in the same run.

    ``value`` is the median of ``rounds``; ``goal`` says what passing means, and ``passed`` whether
    this run met it (None where the figure has no goal of its own)."""

    name: str
    unit: str
    rounds: list
    yardstick: str
    yardstick_rounds: list
    goal: str = ""
    passed: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def value(self):
        return spread(self.rounds)[1]

    @property
    def yardstick_value(self):
        return spread(self.yardstick_rounds)[1] if self.yardstick_rounds else None

    def as_dict(self):
        low, middle, high = spread(self.rounds)
        yardstick_value = self.yardstick_value
        return {
            "name": self.name,
            "value": middle,
            "unit": self.unit,
            "yardstick": self.yardstick,
            "yardstick_value": yardstick_value,
            "ratio": ratio(middle, yardstick_value) if yardstick_value is not None else None,
            "runs": len(self.rounds),
            "min": low,
            "median": middle,
            "max": high,
            "rounds": list(self.rounds),
            "yardstick_rounds": list(self.yardstick_rounds),
            "goal": self.goal,
            "passed": self.passed,
            "note": self.note,
            "extra": dict(self.extra),
        }


def results_document(*, figures, meta):
    return {
        "schema": SCHEMA_VERSION,
        "meta": dict(meta),
        "figures": [figure.as_dict() for figure in figures],
    }


def results_merge(*, previous, document):
    """A partial run's document with the figures of an earlier run it did not measure again.
    Each kept figure says when it was measured, since the two runs' conditions may differ."""
    if not previous or previous.get("schema") != SCHEMA_VERSION:
        return document
    measured = {entry["name"] for entry in document["figures"]}
    earlier = previous.get("meta", {}).get("date")
    kept = [
        {**entry, "measured": entry.get("measured", earlier)}
        for entry in previous.get("figures", [])
        if entry["name"] not in measured
    ]
    return {**document, "figures": document["figures"] + kept}


def results_validate(document):
    """Raise ValueError naming the first thing wrong with a results document (for the tests and
    for anyone reading results.json from another tool)."""
    if document.get("schema") != SCHEMA_VERSION:
        raise ValueError(f"schema must be {SCHEMA_VERSION}")
    if not isinstance(document.get("meta"), dict):
        raise ValueError("meta must be an object")
    figures = document.get("figures")
    if not isinstance(figures, list) or not figures:
        raise ValueError("figures must be a non-empty list")
    for entry in figures:
        missing = [name for name in FIGURE_FIELDS if name not in entry]
        if missing:
            raise ValueError(f"figure {entry.get('name')!r} lacks {', '.join(missing)}")
        if entry["runs"] < 1 or not entry["min"] <= entry["median"] <= entry["max"]:
            raise ValueError(f"figure {entry['name']!r}: runs and min <= median <= max")
    json.dumps(document)  # everything must be plain JSON
    return document


def _number(value):
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,.0f}"


def table_lines(figures):
    """The terminal table: one line per figure, the same columns as results.json."""
    header = ("figure", "value", "unit", "yardstick", "ratio", "runs", "min / max", "goal")
    rows = []
    for figure in figures:
        entry = figure.as_dict()
        verdict = "" if entry["passed"] is None else ("ok" if entry["passed"] else "MISSED")
        rows.append(
            (
                entry["name"],
                _number(entry["value"]),
                entry["unit"],
                f"{entry['yardstick']} {_number(entry['yardstick_value'])}".strip(),
                "-" if entry["ratio"] is None else f"{entry['ratio']:.2f}",
                str(entry["runs"]),
                f"{_number(entry['min'])} / {_number(entry['max'])}",
                verdict,
            )
        )
    widths = [max(len(str(row[index])) for row in [header, *rows]) for index in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def figure_from_dict(entry):
    """Only for the tests' round trip."""
    figure = Figure(
        name=entry["name"],
        unit=entry["unit"],
        rounds=entry["rounds"],
        yardstick=entry["yardstick"],
        yardstick_rounds=entry["yardstick_rounds"],
        goal=entry["goal"],
        passed=entry["passed"],
        note=entry["note"],
        extra=entry["extra"],
    )
    return figure
