"""Figures 3 and 4: one certificate's render time and memory over many renders, and the
auditor's streamed ZIP of stored certificates against reading the same files."""

import copy
import gc
import itertools
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import typst
import weasyprint
from django_tasks_db.models import DBTaskResult

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from certificates import pdf as certificate_pdf
from certificates.exports import certificates_zip_stream
from certificates.models import Certificate
from certificates.pdf import certificate_pdf_render
from certificates.services import certificate_issue_for_attempt
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


def certificate_variant(*, certificate, number):
    """The sample certificate as the ``number``-th holder would have it: another name, serial and
    verification code (so another QR code), never saved. Each render lays out a certificate it
    has not seen, as issuing does, rather than one Typst has kept in its caches."""
    variant = copy.copy(certificate)
    variant.holder_name = f"{certificate.holder_name} {number:06d}"
    variant.serial = f"{certificate.serial[:5]}{number:06d}"
    suffix = f"{number:06d}".translate(str.maketrans("0123456789", "ABCDEFGHJK"))
    variant.code = certificate.code[: -len(suffix)] + suffix
    return variant


def _distinct_renders(render_one, start=0):
    """A render callable that renders a new variant each call."""
    numbers = itertools.count(start)
    return lambda: render_one(next(numbers))


def _typst_one_line_compiler():
    """A one-line document through Typst with the certificate's fonts, in its own compiler: the
    same pipeline's floor, for the figure that compares like with like."""
    return typst.Compiler(font_paths=certificate_pdf._compiler_fonts())


TYPST_ONE_LINE = b'#set text(font: "DejaVu Sans")\n#sys.inputs.line'


def render_measure(*, certificate, rounds, renders_for_memory, log):
    render = _distinct_renders(
        lambda number: certificate_pdf_render(
            certificate=certificate_variant(certificate=certificate, number=number)
        )
    )
    one_line = _typst_one_line_compiler()
    typst_minimal = _distinct_renders(
        lambda number: one_line.compile(
            input=TYPST_ONE_LINE, format="pdf", sys_inputs={"line": f"Certificate {number}"}
        )
    )
    render(), _minimal(), typst_minimal()  # fonts and templates loaded once, as in a worker
    with_times, minimal_times, typst_times, with_cpu, minimal_cpu = [], [], [], [], []
    for _ in range(rounds):  # interleaved, so that the machine's load falls on all alike
        for times, cpu, run in (
            (with_times, with_cpu, render),
            (minimal_times, minimal_cpu, _minimal),
            (typst_times, None, typst_minimal),
        ):
            cpu_started = time.process_time()
            times.append(_seconds(run) * 1000)
            if cpu is not None:
                cpu.append((time.process_time() - cpu_started) * 1000)
    render_figure = _against_one_line_weasyprint(
        name="certificate render",
        rounds=with_times,
        yardstick_rounds=minimal_times,
        note="The certificate as issued (tagged PDF/A-3a and PDF/UA-1, Typst), a new holder, serial "
        "and QR code each round, against the issue's yardstick: the one-line document of the PDF "
        "library the platform had, which still renders the evidence record.",
    )
    cpu_figure = _against_one_line_weasyprint(
        name="certificate render: CPU time",
        rounds=with_cpu,
        yardstick_rounds=minimal_cpu,
        note="The rendering process's own CPU time in the same rounds, whatever else waits for the "
        "cores (the wall clock above stretches with the machine's load). Typst runs parts of a "
        "render on more than one thread, so its CPU time can exceed its wall clock.",
    )
    typst_figure = Figure(
        name="certificate render against a one-line Typst document",
        unit="ms",
        rounds=with_times,
        yardstick="one-line Typst document (untagged, a new line each round)",
        yardstick_rounds=typst_times,
        note="The same rounds against the floor of the certificate's own pipeline: what the "
        "certificate's content, tagging, PDF/A and QR code cost over the least Typst can do.",
    )
    log(
        f"  certificate render: {render_figure.value:.1f} ms against "
        f"{render_figure.yardstick_value:.1f} ms (one-line WeasyPrint) and "
        f"{typst_figure.yardstick_value:.1f} ms (one-line Typst)"
    )
    figures = [render_figure, cpu_figure, typst_figure]
    figures.extend(_render_breakdown(certificate=certificate, rounds=rounds, log=log))
    figures.append(_render_memory(render=render, renders=renders_for_memory, log=log))
    return figures


def _against_one_line_weasyprint(*, name, rounds, yardstick_rounds, note):
    figure = Figure(
        name=name,
        unit="ms",
        rounds=rounds,
        yardstick="one-line WeasyPrint document",
        yardstick_rounds=yardstick_rounds,
        goal="ratio < 3",
        note=note,
    )
    figure.passed = figure.value < 3 * figure.yardstick_value
    return figure


def _render_variants(*, certificate):
    """The certificate as rendered, less one part at a time: what each part costs is the
    difference to the render as shipped, measured in the same rounds (a new holder each)."""
    compiler = certificate_pdf._compiler()

    def render_with(**options):
        def render_one(number):
            variant = certificate_variant(certificate=certificate, number=number)
            data = certificate_pdf.certificate_pdf_data(certificate=variant)
            return compiler.compile(
                format="pdf", sys_inputs={"certificate": json.dumps(data)}, **options
            )

        return _distinct_renders(render_one, start=10**5)

    def new_compiler_each_time(number):
        variant = certificate_variant(certificate=certificate, number=number)
        data = certificate_pdf.certificate_pdf_data(certificate=variant)
        return typst.Compiler(
            input=certificate_pdf.TEMPLATE,
            root=certificate_pdf.TEMPLATE.parent,
            font_paths=certificate_pdf._compiler_fonts(),
        ).compile(
            format="pdf",
            sys_inputs={"certificate": json.dumps(data)},
            pdf_standards=certificate_pdf.PDF_STANDARDS,
        )

    same = lambda: certificate_pdf_render(certificate=certificate)  # noqa: E731
    qr_alone = _distinct_renders(
        lambda number: certificate_pdf.verification_qr(
            certificate=certificate_variant(certificate=certificate, number=number)
        ),
        start=3 * 10**5,
    )
    return {
        "as shipped": render_with(pdf_standards=certificate_pdf.PDF_STANDARDS),
        "without PDF/A-3a and PDF/UA-1 (untagged)": render_with(pdf_tags=False),
        "of the same certificate each round (Typst's caches hit)": same,
        "with a new compiler per render (fonts and template read each time)": _distinct_renders(
            new_compiler_each_time, start=2 * 10**5
        ),
        QR_ALONE: qr_alone,
    }


QR_ALONE = "of which the QR code alone (segno, scoring all eight masks as ISO/IEC 18004 asks)"


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
        if name == QR_ALONE:
            figure.note = f"{figure.value / shipped:.0%} of the render as shipped ({shipped:.1f} ms in the same rounds)."
        else:
            figure.note = f"{figure.value - shipped:+.1f} ms against the render as shipped ({shipped:.1f} ms in the same rounds)."
        log(f"  {figure.name}: {figure.value:.1f} ms; {figure.note}")
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
    half reached. The yardstick is the same count of one-line WeasyPrint documents."""
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
        note = "The one-line WeasyPrint documents grow as well (native memory per render)."
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
    for number in range(renders):
        certificate_render_task.enqueue(certificate_id=certificate.pk, number=number)
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
