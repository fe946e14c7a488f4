"""Figures 3 and 4: one certificate's render time and memory over many renders, and the
auditor's streamed ZIP of stored certificates against reading the same files."""

import gc
import logging
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import weasyprint
import weasyprint.pdf.fonts as weasyprint_fonts
from django_tasks_db.models import DBTaskResult

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from certificates.exports import certificates_zip_stream
from certificates.models import Certificate
from certificates.pdf import STYLESHEET, certificate_pdf_html, certificate_pdf_render
from certificates.services import certificate_issue_for_attempt
from lms.pdf_fonts import pdf_font_config, pdf_font_uris, pdf_stylesheet
from quizzes.drawing import questions_draw
from quizzes.models import Attempt, Question
from quizzes.selectors import quiz_draw_for_person

from .stats import Figure, percentile, spread

MINIMAL_HTML = "<p>Certificate</p>"


def certificate_sample(*, data):
    """A certificate issued through the real service (scope, QR code, stored file), made once.
    Its attempt holds a real draw of the quiz's questions (snapshots as an attempt freezes them),
    so the certificate lists the policies and clause versions a learner's would."""
    person = data.certificate_holder
    for existing in Certificate.objects.filter(person=person, module=data.module).exclude(pdf=""):
        if existing.scope.get("clauses"):
            return existing
    draw = quiz_draw_for_person(quiz=data.quiz, person=person)
    drawn = questions_draw(
        bank=draw.bank,
        total=draw.total,
        per_topic=draw.per_topic,
        shuffle=False,
        rng=random.Random(0),
    )
    by_id = Question.objects.prefetch_related("options__clause__document").in_bulk(
        [entry.id for entry in drawn]
    )
    attempt = Attempt.objects.create(
        person=person,
        quiz=data.quiz,
        pass_mark=data.quiz.pass_mark,
        questions=[by_id[entry.id].snapshot(quiz=data.quiz) for entry in drawn],
        answers={},
        submitted_at=timezone.now(),
        passed=True,
        percent=100,
        score=len(drawn),
        max_score=len(drawn),
    )
    return certificate_issue_for_attempt(attempt_id=attempt.pk)


def _seconds(run):
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _minimal():
    return weasyprint.HTML(string=MINIMAL_HTML).write_pdf()


@contextmanager
def _without_harfbuzz_subset():
    """What WeasyPrint does where libharfbuzz-subset is missing: it subsets fonts with fontTools."""
    saved = weasyprint_fonts.harfbuzz_subset
    logger = logging.getLogger("weasyprint")
    saved_level = logger.level
    weasyprint_fonts.harfbuzz_subset = None
    logger.setLevel(
        logging.ERROR
    )  # its "install HarfBuzz-Subset" warning, once per font per render
    try:
        yield
    finally:
        weasyprint_fonts.harfbuzz_subset = saved
        logger.setLevel(saved_level)


def render_measure(*, certificate, rounds, rounds_without, renders_for_memory, log):
    render = lambda: certificate_pdf_render(certificate=certificate)  # noqa: E731
    render(), _minimal()  # fonts and templates loaded once, as in a long-lived worker
    with_times, minimal_times, with_cpu, minimal_cpu = [], [], [], []
    for _ in range(rounds):
        for times, cpu, run in (
            (with_times, with_cpu, render),
            (minimal_times, minimal_cpu, _minimal),
        ):
            cpu_started = time.process_time()
            times.append(_seconds(run) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    have_library = weasyprint_fonts.harfbuzz_subset is not None
    library = (
        "libharfbuzz-subset present"
        if have_library
        else "libharfbuzz-subset MISSING (fontTools subsets)"
    )
    render_figure = Figure(
        name=f"certificate render ({library})",
        unit="ms",
        rounds=with_times,
        yardstick="one-line WeasyPrint document",
        yardstick_rounds=minimal_times,
        goal="ratio < 3",
    )
    render_figure.passed = render_figure.value < 3 * render_figure.yardstick_value
    cpu_figure = Figure(
        name=f"certificate render ({library}): CPU time",
        unit="ms",
        rounds=with_cpu,
        yardstick="one-line WeasyPrint document",
        yardstick_rounds=minimal_cpu,
        goal="ratio < 3",
        note="The rendering process's own CPU time in the same rounds: rendering is single-threaded "
        "work, so this is what it costs whatever else waits for the cores; the wall-clock figure "
        "above stretches with the machine's load.",
    )
    cpu_figure.passed = cpu_figure.value < 3 * cpu_figure.yardstick_value
    figures = [render_figure, cpu_figure]
    if have_library and rounds_without:
        without_times, minimal_without = [], []
        with _without_harfbuzz_subset():
            for _ in range(rounds_without):
                without_times.append(_seconds(render) * 1000)
                minimal_without.append(_seconds(_minimal) * 1000)
        figures.append(
            Figure(
                name="certificate render (without libharfbuzz-subset: fontTools subsets)",
                unit="ms",
                rounds=without_times,
                yardstick="one-line WeasyPrint document",
                yardstick_rounds=minimal_without,
                note="Measured in the same process by making WeasyPrint take its fallback path, as it does "
                "when the library is not installed.",
            )
        )
    log(
        f"  certificate render: {render_figure.value:.0f} ms against {render_figure.yardstick_value:.0f} ms"
    )
    figures.extend(_render_breakdown(certificate=certificate, rounds=rounds, log=log))
    figures.append(_render_memory(render=render, renders=renders_for_memory, log=log))
    return figures


def _render_variants(*, certificate):
    """The certificate as rendered, less one part at a time: what each part costs is the
    difference to the render as shipped, measured in the same rounds."""
    html = certificate_pdf_html(certificate=certificate)
    base_url = str(settings.BASE_DIR)
    sheet = pdf_stylesheet(STYLESHEET)
    pdf_a = {"pdf_variant": "pdf/a-3a", "pdf_identifier": certificate.code.encode()}
    uris = pdf_font_uris()
    one_font_sheet = weasyprint.CSS(
        string=render_to_string(
            STYLESHEET,
            {
                **uris,
                "font_bold": uris["font_regular"],
                "font_bold_full": uris["font_regular_full"],
            },
        ),
        font_config=pdf_font_config(),
    )
    without_qr = re.sub(r"<img [^>]*>", "", html)

    def write(document, stylesheet=sheet, **options):
        return weasyprint.HTML(string=document, base_url=base_url).write_pdf(
            stylesheets=[stylesheet], font_config=pdf_font_config(), **options
        )

    def per_render_setup():
        # What WeasyPrint does by default, and this certificate did before: a new font
        # configuration and a newly parsed stylesheet on every render.
        font_config = weasyprint.text.fonts.FontConfiguration()
        stylesheet = weasyprint.CSS(
            string=render_to_string(STYLESHEET, uris), font_config=font_config
        )
        return weasyprint.HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[stylesheet], font_config=font_config, **pdf_a
        )

    return {
        "as shipped": lambda: write(html, **pdf_a),
        "without PDF/A-3a (untagged)": lambda: write(html),
        "with one font (the regular face for bold too)": lambda: write(
            html, one_font_sheet, **pdf_a
        ),
        "without the QR code": lambda: write(without_qr, **pdf_a),
        "with a new font configuration and stylesheet per render": per_render_setup,
    }


def _render_breakdown(*, certificate, rounds, log):
    variants = _render_variants(certificate=certificate)
    for variant in variants.values():
        variant()
    times = {name: [] for name in variants}
    minimal_times = []
    for _ in range(rounds):  # interleaved, so that the machine's load falls on all alike
        for name, variant in variants.items():
            times[name].append(_seconds(variant) * 1000)
        minimal_times.append(_seconds(_minimal) * 1000)
    figures = []
    for name, variant_times in times.items():
        if name == "as shipped":
            continue
        figure = Figure(
            name=f"certificate render {name}",
            unit="ms",
            rounds=variant_times,
            yardstick="one-line WeasyPrint document",
            yardstick_rounds=minimal_times,
            extra={"as_shipped_ms": times["as shipped"]},
        )
        shipped = spread(times["as shipped"])[1]
        figure.note = f"{figure.value - shipped:+.0f} ms against the render as shipped ({shipped:.0f} ms in the same rounds)."
        log(f"  {figure.name}: {figure.value:.0f} ms; {figure.note}")
        figures.append(figure)
    return figures


def rss_mb():
    """Resident memory now (not the process's all-time peak, which the data setup may have set)."""
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return resident_pages * resource.getpagesize() / 2**20


def _memory_over(render, renders):
    """Resident memory after each tenth of ``renders`` renders: (start, peak of the first half, peak)."""
    gc.collect()
    samples, start = [], rss_mb()
    step = max(1, renders // 10)
    for number in range(1, renders + 1):
        render()
        if number % step == 0:
            samples.append(round(rss_mb(), 1))
    return start, max(samples[: max(1, len(samples) // 2)]), max(samples), samples


def _render_memory(*, render, renders, log):
    """Memory levels off if the last half of the renders adds (almost) nothing to what the first
    half reached. The yardstick is the same count of one-line documents: what WeasyPrint itself
    keeps per render, whatever the template."""
    start, first_half, peak, samples = _memory_over(render, renders)
    growth = peak - first_half
    minimal_start, minimal_half, minimal_peak, minimal_samples = _memory_over(_minimal, renders)
    minimal_growth = minimal_peak - minimal_half
    log(
        f"  {renders} renders: resident memory {start:.0f} MB before, peak {peak:.0f} MB (the second half "
        f"added {growth:.1f} MB; {minimal_growth:.1f} MB for as many one-line documents)"
    )
    note = ""
    if minimal_growth > max(5.0, 0.05 * minimal_half):
        note = (
            "The one-line documents grow as well: the growth is WeasyPrint's (native memory per render), "
            "not the certificate template's."
        )
    return Figure(
        name=f"certificate renders x{renders}: memory added by the second half",
        unit="MB",
        rounds=[round(growth, 1)],
        yardstick=f"{renders} one-line documents",
        yardstick_rounds=[round(minimal_growth, 1)],
        goal="levels off (second half adds < 5 MB or 5%)",
        passed=growth <= max(5.0, 0.05 * first_half),
        note=note,
        extra={
            "before_mb": round(start, 1),
            "peak_mb": peak,
            "samples_mb": samples,
            "minimal_before_mb": round(minimal_start, 1),
            "minimal_samples_mb": minimal_samples,
        },
    )


WORKER_QUEUE = "bench-worker-memory"


def worker_memory_measure(*, certificate, renders, log, timeout_seconds=1800):
    """``renders`` certificate renders as background tasks, run by ``manage.py run_worker`` as
    deployed (its recycling after WORKER_MAX_TASKS tasks included), each task reporting the
    resident memory of the worker process it ran in (``bench/tasks.py``). The yardstick is the
    memory after a tenth of the renders: a worker that keeps memory grows away from it, a
    recycled or flat one does not."""
    from .tasks import certificate_render_task

    DBTaskResult.objects.filter(queue_name=WORKER_QUEUE).delete()
    for _ in range(renders):
        certificate_render_task.enqueue(certificate_id=certificate.pk)
    max_tasks = settings.WORKER_MAX_TASKS
    log(f"  {renders} renders as tasks through run_worker (WORKER_MAX_TASKS {max_tasks})")
    supervisor = subprocess.Popen(  # noqa: S603 - our own manage.py
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "run_worker",
            "--max-tasks",
            str(max_tasks),
            "--interval",
            "0.2",
            "--queue-name",
            WORKER_QUEUE,
        ],
        env={**os.environ, "WORKER_MAX_TASKS": str(max_tasks)},
        stdout=subprocess.DEVNULL,  # a line per task; failures are counted below
    )
    results = DBTaskResult.objects.filter(queue_name=WORKER_QUEUE)
    deadline = time.monotonic() + timeout_seconds
    try:
        while results.finished().count() < renders:
            if time.monotonic() > deadline or supervisor.poll() is not None:
                raise RuntimeError(
                    f"the worker finished {results.finished().count()} of {renders} renders"
                )
            time.sleep(1)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=120)
    if results.failed().exists():
        raise RuntimeError(f"{results.failed().count()} render tasks failed")
    finished = list(
        results.order_by("finished_at").only("return_value", "started_at", "finished_at")
    )
    reports = [result.return_value for result in finished]
    task_ms = [
        round((result.finished_at - result.started_at).total_seconds() * 1000, 1)
        for result in finished
    ]
    yardstick_at = max(1, renders // 10)
    at_yardstick, at_end = reports[yardstick_at - 1]["rss_mb"], reports[-1]["rss_mb"]
    peak = max(report["rss_mb"] for report in reports)
    processes = len({report["pid"] for report in reports})
    log(
        f"  worker memory after {yardstick_at} renders {at_yardstick:.0f} MB, after {renders} "
        f"{at_end:.0f} MB (peak {peak:.0f} MB, {processes} worker processes)"
    )
    task_median = spread(task_ms)[1]
    log(
        f"  a render task in the worker: {task_median:.0f} ms at the median "
        f"(p95 {percentile(task_ms, 0.95):.0f} ms)"
    )
    return [
        Figure(
            name="certificate render in the worker: a task's run time",
            unit="ms",
            rounds=task_ms,
            yardstick="",
            yardstick_rounds=[],
            note="Each render task's time from start to finish as the worker recorded it, over "
            f"the {renders:,} renders below (p95 {percentile(task_ms, 0.95):.0f} ms): the render as "
            "deployed, in a worker process that froze what it loaded at start "
            "(`manage.py worker_process`).",
        ),
        Figure(
            name=f"worker memory after {renders:,} renders",
            unit="MB",
            rounds=[at_end],
            yardstick=f"after {yardstick_at:,} renders",
            yardstick_rounds=[at_yardstick],
            goal="within 50 MB of the yardstick",
            passed=at_end <= at_yardstick + 50,
            extra={
                "peak_mb": peak,
                "worker_processes": processes,
                "worker_max_tasks": max_tasks,
                "samples_mb": [report["rss_mb"] for report in reports[:: max(1, renders // 20)]],
            },
        ),
    ]


def bulk_certificates_ensure(*, certificate, count, log):
    """``count`` generated certificates carrying a stored PDF (copies of a real one), made once."""
    having = Certificate.objects.filter(serial__startswith="GEN-").exclude(
        Q(pdf="") | Q(pdf__isnull=True)
    )
    missing = count - having.count()
    if missing > 0:
        log(f"  storing {missing} certificate files for the ZIP")
        certificate.pdf.open("rb")
        content = certificate.pdf.read()
        certificate.pdf.close()
        to_fill = Certificate.objects.filter(serial__startswith="GEN-", pdf="").order_by("pk")[
            :missing
        ]
        for generated in to_fill:
            generated.pdf.save(f"{generated.serial}.pdf", ContentFile(content), save=False)
            generated.sha256 = certificate.sha256
            generated.save(update_fields=["pdf", "sha256"])
    return list(having.order_by("pk").values_list("pk", flat=True)[:count])


def _certificates(ids):
    """The stored generated certificates from ids[0] to ids[-1] (which are all of them, see
    bulk_certificates_ensure): a query of the same size for 100 or 10,000, as an auditor's
    filter is, so that only the export's own memory is measured."""
    return (
        Certificate.objects.filter(pk__gte=ids[0], pk__lte=ids[-1], serial__startswith="GEN-")
        .exclude(Q(pdf="") | Q(pdf__isnull=True))
        .order_by("pk")
    )


def _zip_all(*, ids, user):
    total = 0
    queryset = _certificates(ids).select_related("person__team")
    for chunk in certificates_zip_stream(certificates=queryset, user=user):
        total += len(chunk)
    return total


def _read_all(*, ids):
    total = 0
    for certificate in _certificates(ids).only("pdf").iterator(chunk_size=200):
        with certificate.pdf.open("rb") as stored:
            while chunk := stored.read(64 * 1024):
                total += len(chunk)
    return total


def _peak_python_mb(run):
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def bulk_measure(*, ids, user, rounds, log):
    zip_times, read_times = [], []
    for _ in range(rounds):
        zip_times.append(_seconds(lambda: _zip_all(ids=ids, user=user)))
        read_times.append(_seconds(lambda: _read_all(ids=ids)))
    tenth = ids[: max(1, len(ids) // 10)]
    zip_peak = _peak_python_mb(lambda: _zip_all(ids=ids, user=user))
    zip_peak_tenth = _peak_python_mb(lambda: _zip_all(ids=tenth, user=user))
    read_peak = _peak_python_mb(lambda: _read_all(ids=ids))
    log(
        f"  ZIP of {len(ids):,}: {min(zip_times):.2f}-{max(zip_times):.2f} s, peak {zip_peak:.1f} MB "
        f"({zip_peak_tenth:.1f} MB for {len(tenth)})"
    )
    return [
        Figure(
            name=f"ZIP of {len(ids):,} stored certificates: time",
            unit="s",
            rounds=zip_times,
            yardstick="reading the same files",
            yardstick_rounds=read_times,
        ),
        Figure(
            name=f"ZIP of {len(ids):,} stored certificates: peak Python memory",
            unit="MB",
            rounds=[zip_peak],
            yardstick=f"ZIP of {len(tenth):,}",
            yardstick_rounds=[zip_peak_tenth],
            goal="flat (within 1.5x of a tenth of the files)",
            passed=zip_peak <= 1.5 * max(zip_peak_tenth, 1.0),
            extra={"reading_peak_mb": read_peak},
        ),
    ]
