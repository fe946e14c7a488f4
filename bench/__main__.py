"""`python -m bench [--quick]`: every benchmark figure beside its yardstick, in one run.

Sizes come from environment variables (see SIZES; README "Benchmarks"). Prints a table and
writes bench/results.json."""

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

from .database import database_choose

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("results.json")

# name: (full, quick)
SIZES = {
    "BENCH_PEOPLE": ("50000", "2000"),
    "BENCH_LINE_SIZES": ("10,1000,10000", "10,100,1000"),
    "BENCH_MODULE_STEPS": ("5,50", "5,50"),
    "BENCH_DASHBOARD_LINE": ("155", "155"),
    # Single warm requests of the dashboard per line size (figure 9), in blocks of ten.
    "BENCH_DASHBOARD_REQUESTS": ("30", "10"),
    # Empty teams added for figure 9's organisation-size check (the dashboard and My learning
    # with them, against without), and its requests per state, in blocks of ten.
    "BENCH_EXTRA_TEAMS": ("100000", "1000"),
    "BENCH_TEAMS_REQUESTS": ("20", "10"),
    "BENCH_ROUNDS": ("5", "1"),
    "BENCH_SECONDS": ("5", "2"),
    "BENCH_CONNECTIONS": ("4", "4"),
    # Accounts that have submitted nothing at the bench quiz, new for each run (bench/data.py).
    "BENCH_SUBMITTERS": ("200", "50"),
    "BENCH_SIMULTANEOUS": ("50", "50"),
    "BENCH_CONCURRENCY_ROUNDS": ("3", "1"),
    "BENCH_RENDER_ROUNDS": ("9", "3"),
    "BENCH_RENDERS": ("500", "20"),
    # Certificate renders as tasks through `manage.py run_worker` (its memory after all of them
    # against after a tenth).
    "BENCH_WORKER_RENDERS": ("2000", "200"),
    # Its yardstick is the ZIP of a tenth as many.
    "BENCH_ZIP_CERTIFICATES": ("10000", "100"),
    "BENCH_ZIP_ROUNDS": ("3", "1"),
    "BENCH_REPORT_ROUNDS": ("3", "1"),
    # The second organisation size for the reports' peak memory (its own database; 0: skip).
    "BENCH_REPORT_LARGE_PEOPLE": ("200000", "0"),
    # Submitted attempts with real snapshots, for the insight reports (figure 8).
    "BENCH_INSIGHT_ATTEMPTS": ("200000", "2000"),
    # The pass-rate figures need at least 1,000 attempts per strategy to resolve 0.001, quick or not.
    "BENCH_STRATEGY_ATTEMPTS": ("1000", "1000"),
    "BENCH_STRATEGY_COOLDOWNS": ("2", "2"),
}


def sizes_read(*, quick, environ):
    chosen = {
        name: environ.get(name, values[1] if quick else values[0]) for name, values in SIZES.items()
    }
    parsed = {}
    for name, value in chosen.items():
        try:
            parsed[name] = (
                [int(part) for part in value.split(",")] if "," in SIZES[name][0] else int(value)
            )
        except ValueError:
            raise SystemExit(
                f"{name} must be {'a list of whole numbers' if ',' in SIZES[name][0] else 'a whole number'}, not {value!r}"
            ) from None
    if parsed["BENCH_PEOPLE"] < max(parsed["BENCH_LINE_SIZES"]) + 1:
        parsed["BENCH_PEOPLE"] = max(parsed["BENCH_LINE_SIZES"]) + 1
    return parsed


# --only names, in the order the run takes them.
SECTIONS = (
    "queries",
    "dashboard",
    "teams",
    "certificates",
    "zip",
    "strategies",
    "reports",
    "insight",
    "pages",
    "concurrency",
)


def sections_parse(value):
    chosen = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown section {', '.join(unknown) or '(none given)'}; choose from {', '.join(SECTIONS)}"
        )
    return set(chosen)


def _log(message):
    print(message, flush=True)


def _machine():
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        cpuinfo = []
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), ""
    )
    return f"{os.cpu_count()} cores{', ' + model if model else ''}, {platform.system()} {platform.release()}"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="each figure once, at small sizes")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--only",
        metavar="SECTIONS",
        type=sections_parse,
        default=None,
        help=f"run only these sections, comma-separated: {', '.join(SECTIONS)} "
        "(the figures of the others are kept from the results file)",
    )
    options = parser.parse_args(argv)
    sizes = sizes_read(quick=options.quick, environ=os.environ)
    var_dir = ROOT / "var" / ("bench-quick" if options.quick else "bench")
    var_dir.mkdir(parents=True, exist_ok=True)
    if options.quick and "BENCH_DATABASE_URL" in os.environ:
        os.environ["BENCH_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"].rstrip("/") + "_quick"
    elif options.quick:
        from .database import DEFAULT_URL

        os.environ["BENCH_DATABASE_URL"] = DEFAULT_URL + "_quick"
    url, database = database_choose(var_dir=var_dir)
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_VAR=str(var_dir),
        # This run's own cache keys, shared with its gunicorn workers (bench/settings.py).
        BENCH_CACHE_PREFIX=f"bench-{url.rsplit('/', 1)[-1]}-{int(time.time())}",
    )
    started = time.monotonic()
    _log(f"Benchmarks ({'quick' if options.quick else 'full'}) on {database}, {_machine()}")

    import django

    django.setup()
    _log(f"shared cache (sessions, content): {_cache_backend()}")
    from .certificates import (
        bulk_certificates_ensure,
        bulk_measure,
        certificate_sample,
        render_measure,
        worker_memory_measure,
    )
    from .dashboard import dashboard_measure
    from .data import data_prepare
    from .insight import insight_attempts_ensure, insight_measure
    from .pages import concurrency_measure, pages_measure, wrk_available
    from .queries import queries_measure
    from .reports import reports_measure
    from .server import gunicorn_running
    from .stats import results_document, results_merge, results_validate, table_lines
    from .strategies import strategies_measure
    from .teams import teams_measure

    data = data_prepare(
        people=sizes["BENCH_PEOPLE"],
        dashboard_line=sizes["BENCH_DASHBOARD_LINE"],
        submitters=sizes["BENCH_SUBMITTERS"],
        log=_log,
    )
    _log(f"data ready after {time.monotonic() - started:.0f} s")
    figures, failed = [], []

    def section(title, run, *, key):
        if options.only is not None and key not in options.only:
            return
        _log(title)
        section_started = time.monotonic()
        try:
            figures.extend(run())
        except Exception:  # one broken section must not hide the others' figures
            failed.append(title)
            traceback.print_exc()
        _log(f"  ({time.monotonic() - section_started:.0f} s)")

    section(
        "2. queries per request",
        lambda: queries_measure(
            data=data,
            line_sizes=sizes["BENCH_LINE_SIZES"],
            module_steps=sizes["BENCH_MODULE_STEPS"],
            log=_log,
        ),
        key="queries",
    )
    section(
        "9. manager dashboard, single warm requests",
        lambda: dashboard_measure(
            data=data,
            line_sizes=sizes["BENCH_LINE_SIZES"],
            requests=sizes["BENCH_DASHBOARD_REQUESTS"],
            log=_log,
        ),
        key="dashboard",
    )
    section(
        "9. the dashboard and My learning in an organisation of many more teams",
        lambda: teams_measure(
            data=data,
            extra_teams=sizes["BENCH_EXTRA_TEAMS"],
            requests=sizes["BENCH_TEAMS_REQUESTS"],
            log=_log,
        ),
        key="teams",
    )
    sample = (
        certificate_sample(data=data)
        if options.only is None or options.only & {"certificates", "zip"}
        else None
    )
    section(
        "3. certificate rendering",
        lambda: render_measure(
            certificate=sample,
            rounds=sizes["BENCH_RENDER_ROUNDS"],
            renders_for_memory=sizes["BENCH_RENDERS"],
            log=_log,
        ),
        key="certificates",
    )
    section(
        "3. certificate rendering: the worker's memory",
        lambda: worker_memory_measure(
            certificate=sample, renders=sizes["BENCH_WORKER_RENDERS"], log=_log
        ),
        key="certificates",
    )
    section(
        "4. bulk ZIP",
        lambda: bulk_measure(
            ids=bulk_certificates_ensure(
                certificate=sample, count=sizes["BENCH_ZIP_CERTIFICATES"], log=_log
            ),
            user=data.admin,
            rounds=sizes["BENCH_ZIP_ROUNDS"],
            log=_log,
        ),
        key="zip",
    )
    section(
        "7. quiz strategies of learners who know nothing",
        lambda: strategies_measure(
            attempts=sizes["BENCH_STRATEGY_ATTEMPTS"],
            cooldowns=sizes["BENCH_STRATEGY_COOLDOWNS"],
            log=_log,
        ),
        key="strategies",
    )
    section(
        "5. compliance report export",
        lambda: reports_measure(
            admin=data.admin,
            rounds=sizes["BENCH_REPORT_ROUNDS"],
            people=_current_people(),
            larger_people=sizes["BENCH_REPORT_LARGE_PEOPLE"],
            log=_log,
        ),
        key="reports",
    )

    def insight_run():
        insight_attempts_ensure(quiz=data.quiz, count=sizes["BENCH_INSIGHT_ATTEMPTS"], log=_log)
        return insight_measure(
            admin=data.admin, quiz=data.quiz, rounds=sizes["BENCH_REPORT_ROUNDS"], log=_log
        )

    section("8. insight reports", insight_run, key="insight")
    if options.only is not None and not options.only & {"pages", "concurrency"}:
        pass
    elif wrk_available():
        with (
            tempfile.TemporaryDirectory() as work_dir,
            gunicorn_running(log_path=var_dir / "gunicorn.log") as port,
        ):
            section(
                "1. pages under load (gunicorn, 2 workers; wrk)",
                lambda: pages_measure(
                    data=data,
                    port=port,
                    work_dir=Path(work_dir),
                    rounds=sizes["BENCH_ROUNDS"],
                    seconds=sizes["BENCH_SECONDS"],
                    connections=sizes["BENCH_CONNECTIONS"],
                    log=_log,
                ),
                key="pages",
            )
            section(
                "6. simultaneous quiz submissions",
                lambda: concurrency_measure(
                    data=data,
                    port=port,
                    rounds=sizes["BENCH_CONCURRENCY_ROUNDS"],
                    simultaneous=sizes["BENCH_SIMULTANEOUS"],
                    log=_log,
                ),
                key="concurrency",
            )
    else:
        failed.append(
            "1. pages and 6. concurrency: wrk is not installed (make system-deps installs it)"
        )
    meta = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if options.quick else "full",
        "machine": _machine(),
        "database": database,
        "cache": _cache_backend(),
        "python": platform.python_version(),
        "sizes": sizes,
        "dashboard_manager_line": data.manager_line,
        "seconds": round(time.monotonic() - started),
        "failed_sections": failed,
    }
    document = results_validate(results_document(figures=figures, meta=meta)) if figures else None
    if document and options.only is not None:
        meta["only"] = sorted(options.only)
        document = results_validate(
            results_merge(previous=_results_read(options.output), document=document)
        )
    if document:
        options.output.write_text(json.dumps(document, indent=2) + "\n")
    _log("")
    for line in table_lines(figures):
        _log(line)
    for figure in figures:
        if figure.note:
            _log(f"note: {figure.name}: {figure.note}")
    _log(f"\n{database}; {meta['machine']}; {meta['seconds']} s; results in {options.output}")
    if failed:
        _log("FAILED sections: " + "; ".join(failed))
        return 1
    return 0


def _results_read(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _cache_backend():
    from django.conf import settings

    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _current_people():
    from people.models import Person

    return Person.objects.filter(left_on__isnull=True).count()


if __name__ == "__main__":
    sys.exit(main())
