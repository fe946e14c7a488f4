import json

import pytest

from bench.stats import (
    Figure,
    percentile,
    ratio,
    results_document,
    results_merge,
    results_validate,
    spread,
    table_lines,
)


def test_spread_is_min_median_max_of_the_rounds():
    assert spread([5, 1, 3]) == (1, 3, 5)
    assert spread([4, 1, 3, 2]) == (1, 2.5, 4)


def test_spread_refuses_no_rounds():
    with pytest.raises(ValueError):
        spread([])


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(0.5, 10), (0.95, 19), (1.0, 20), (0.01, 1)],
)
def test_percentile_is_nearest_rank(fraction, expected):
    assert percentile(list(range(20, 0, -1)), fraction) == expected


def test_percentile_refuses_nonsense():
    with pytest.raises(ValueError):
        percentile([], 0.5)
    with pytest.raises(ValueError):
        percentile([1], 0)


def test_ratio_has_none_without_a_yardstick():
    assert ratio(3, 2) == 1.5
    assert ratio(3, 0) is None


def test_figure_reports_the_medians_and_their_ratio():
    figure = Figure(
        name="page",
        unit="req/s",
        rounds=[30, 10, 20],
        yardstick="bare",
        yardstick_rounds=[100, 80, 90],
    )
    entry = figure.as_dict()
    assert (entry["value"], entry["min"], entry["median"], entry["max"], entry["runs"]) == (
        20,
        10,
        20,
        30,
        3,
    )
    assert entry["yardstick_value"] == 90
    assert entry["ratio"] == pytest.approx(20 / 90)


def test_figure_without_a_yardstick_has_no_ratio():
    entry = Figure(
        name="errors", unit="errors", rounds=[0], yardstick="", yardstick_rounds=[]
    ).as_dict()
    assert entry["yardstick_value"] is None and entry["ratio"] is None


def _document():
    figures = [
        Figure(
            name="page",
            unit="req/s",
            rounds=[30, 10, 20],
            yardstick="bare",
            yardstick_rounds=[100],
            goal="ratio >= 0.5",
            passed=False,
            note="why",
        ),
        Figure(
            name="errors", unit="errors", rounds=[0], yardstick="", yardstick_rounds=[], passed=True
        ),
    ]
    return figures, results_document(
        figures=figures, meta={"date": "2026-11-21", "machine": "2 cores"}
    )


def test_results_document_has_every_field_of_the_issue_and_is_plain_json():
    _, document = _document()
    assert results_validate(json.loads(json.dumps(document))) == document
    first = document["figures"][0]
    for name in (
        "name",
        "value",
        "unit",
        "yardstick_value",
        "ratio",
        "runs",
        "min",
        "median",
        "max",
    ):
        assert name in first
    assert first["passed"] is False and first["note"] == "why"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda document: document.update(schema=99), "schema"),
        (lambda document: document.update(figures=[]), "non-empty"),
        (lambda document: document["figures"][0].pop("ratio"), "lacks ratio"),
        (lambda document: document["figures"][0].update(min=50), "min <= median"),
        (lambda document: document["figures"][0].update(runs=0), "runs"),
    ],
)
def test_results_validate_names_what_is_wrong(damage, message):
    _, document = _document()
    damage(document)
    with pytest.raises(ValueError, match=message):
        results_validate(document)


def test_table_has_a_line_per_figure_with_the_verdict():
    figures, _ = _document()
    lines = table_lines(figures)
    assert lines[0].split()[:3] == ["figure", "value", "unit"]
    assert len(lines) == 2 + len(figures)
    assert "MISSED" in lines[2] and "0.20" in lines[2]
    assert lines[3].rstrip().endswith("ok")


def test_rss_is_the_memory_in_use_now_not_the_all_time_peak():
    from bench.certificates import rss_mb

    before = rss_mb()
    ballast = bytearray(64 * 2**20)
    ballast[::4096] = b"x" * len(range(0, len(ballast), 4096))  # touch every page
    during = rss_mb()
    del ballast
    after = rss_mb()
    assert during - before > 50
    assert after < during - 50


def test_a_partial_run_keeps_the_figures_it_did_not_measure_with_their_date():
    _, earlier = _document()
    earlier["figures"][0]["value"] = 1
    _, later = _document()
    later["figures"] = later["figures"][:1]
    later["figures"][0]["value"] = 2
    later["meta"]["date"] = "2026-12-02"
    merged = results_validate(results_merge(previous=earlier, document=later))
    names = [entry["name"] for entry in merged["figures"]]
    assert names == [entry["name"] for entry in earlier["figures"]]
    assert merged["figures"][0]["value"] == 2 and "measured" not in merged["figures"][0]
    assert all(entry["measured"] == "2026-11-21" for entry in merged["figures"][1:])


def test_a_partial_run_without_earlier_results_has_only_its_own():
    _, document = _document()
    assert results_merge(previous=None, document=document) == document
    assert results_merge(previous={"schema": -1}, document=document) == document
