"""Figures 3 and 4: one certificate's render time and memory over many renders, and the
auditor's streamed ZIP of stored certificates against reading the same files."""

import gc
import logging
import resource
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import weasyprint
import weasyprint.pdf.fonts as weasyprint_fonts

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from certificates.exports import certificates_zip_stream
from certificates.models import Certificate
from certificates.pdf import certificate_pdf_render
from certificates.services import certificate_issue_for_attempt
from quizzes.models import Attempt

from .stats import Figure

MINIMAL_HTML = "<p>Certificate</p>"


def certificate_sample(*, data):
    """A certificate issued through the real service (scope, QR code, stored file), made once."""
    person = data.submitters[0]
    existing = Certificate.objects.filter(person=person, module=data.module).exclude(pdf="").first()
    if existing:
        return existing
    attempt = Attempt.objects.create(
        person=person,
        quiz=data.quiz,
        pass_mark=data.quiz.pass_mark,
        questions=[],
        answers={},
        submitted_at=timezone.now(),
        passed=True,
        percent=100,
        score=1,
        max_score=1,
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
    with_times, minimal_times = [], []
    for _ in range(rounds):
        with_times.append(_seconds(render) * 1000)
        minimal_times.append(_seconds(_minimal) * 1000)
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
    figures = [render_figure]
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
    figures.append(_render_memory(render=render, renders=renders_for_memory, log=log))
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


def _zip_all(*, ids, user):
    total = 0
    queryset = Certificate.objects.filter(pk__in=ids).select_related("person__team").order_by("pk")
    for chunk in certificates_zip_stream(certificates=queryset, user=user):
        total += len(chunk)
    return total


def _read_all(*, ids):
    total = 0
    for certificate in Certificate.objects.filter(pk__in=ids).order_by("pk").only("pdf"):
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
        f"  ZIP of {len(ids)}: {min(zip_times):.2f}-{max(zip_times):.2f} s, peak {zip_peak:.1f} MB "
        f"({zip_peak_tenth:.1f} MB for {len(tenth)})"
    )
    return [
        Figure(
            name=f"ZIP of {len(ids)} stored certificates: time",
            unit="s",
            rounds=zip_times,
            yardstick="reading the same files",
            yardstick_rounds=read_times,
        ),
        Figure(
            name=f"ZIP of {len(ids)} stored certificates: peak Python memory",
            unit="MB",
            rounds=[zip_peak],
            yardstick=f"ZIP of {len(tenth)}",
            yardstick_rounds=[zip_peak_tenth],
            goal="flat (within 1.5x of a tenth of the files)",
            passed=zip_peak <= 1.5 * max(zip_peak_tenth, 1.0),
            extra={"reading_peak_mb": read_peak},
        ),
    ]
