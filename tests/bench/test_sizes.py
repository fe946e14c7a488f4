import argparse

import pytest

from bench.__main__ import SECTIONS, SIZES, sections_parse, sizes_read
from bench.database import database_choose


def test_quick_sizes_are_smaller_than_full_ones():
    quick, full = sizes_read(quick=True, environ={}), sizes_read(quick=False, environ={})
    assert quick["BENCH_PEOPLE"] < full["BENCH_PEOPLE"] == 50_000
    assert full["BENCH_LINE_SIZES"] == [10, 1000, 10_000]
    assert full["BENCH_MODULE_STEPS"] == [5, 50]
    assert full["BENCH_RENDERS"] == 500 and full["BENCH_ZIP_CERTIFICATES"] == 10_000
    assert full["BENCH_WORKER_RENDERS"] == 2000 > quick["BENCH_WORKER_RENDERS"]
    assert full["BENCH_SIMULTANEOUS"] == 50
    assert set(quick) == set(full) == set(SIZES)


def test_environment_overrides_a_size():
    sizes = sizes_read(quick=False, environ={"BENCH_RENDERS": "7", "BENCH_LINE_SIZES": "3,4"})
    assert sizes["BENCH_RENDERS"] == 7 and sizes["BENCH_LINE_SIZES"] == [3, 4]


def test_organisation_is_large_enough_for_the_longest_reporting_line():
    sizes = sizes_read(quick=True, environ={"BENCH_PEOPLE": "5", "BENCH_LINE_SIZES": "10,20"})
    assert sizes["BENCH_PEOPLE"] == 21


def test_a_bad_size_stops_with_its_name():
    with pytest.raises(SystemExit, match="BENCH_RENDERS must be a whole number"):
        sizes_read(quick=False, environ={"BENCH_RENDERS": "many"})


def test_unreachable_postgres_falls_back_to_sqlite(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:1/nothing_here")
    url, description = database_choose(var_dir=tmp_path)
    assert url == f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    assert description.startswith("SQLite") and "PostgreSQL unreachable" in description


def test_sqlite_url_is_used_as_given(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", f"sqlite:///{tmp_path}/b.sqlite3")
    assert database_choose(var_dir=tmp_path)[0] == f"sqlite:///{tmp_path}/b.sqlite3"


def test_only_takes_known_sections_and_names_an_unknown_one():
    assert sections_parse("pages, reports") == {"pages", "reports"}
    assert set(SECTIONS) >= {"queries", "certificates", "zip", "reports", "insight", "pages"}
    with pytest.raises(argparse.ArgumentTypeError, match="unknown section nonsense"):
        sections_parse("pages,nonsense")
    with pytest.raises(argparse.ArgumentTypeError, match="none given"):
        sections_parse(",")
