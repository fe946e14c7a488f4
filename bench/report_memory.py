"""`python -m bench.report_memory --people N`: the peak memory of each compliance report export
(figure 5) on an organisation of N generated people, printed as JSON on the last line.

``bench.reports`` runs it in a process of its own against a second bench database (the larger
organisation is generated there once and reused), so that the organisation of the other figures
stays the size they are measured at."""

import argparse
import json
import os
import sys
from pathlib import Path

from .database import database_choose

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.report_memory", description=__doc__)
    parser.add_argument("--people", type=int, required=True)
    options = parser.parse_args(argv)
    var_dir = ROOT / "var" / "bench-memory"
    var_dir.mkdir(parents=True, exist_ok=True)
    url, database = database_choose(var_dir=var_dir)
    os.environ.update(
        DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.settings", BENCH_VAR=str(var_dir)
    )
    import django

    django.setup()
    from .data import data_prepare
    from .reports import REPORTS, export_peak_memory

    def log(message):
        print(message, file=sys.stderr, flush=True)

    log(f"report memory on {database}")
    data = data_prepare(people=options.people, dashboard_line=155, submitters=0, log=log)
    peaks = {
        title: export_peak_memory(admin=data.admin, url_name=url_name)
        for url_name, title in REPORTS
    }
    print(json.dumps({"database": database, "people": options.people, "peaks": peaks}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
