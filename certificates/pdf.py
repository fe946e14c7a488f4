"""Rendering a certificate to an accessible PDF: tagged PDF/A-3a and PDF/UA-1, in DejaVu from the
project's own files (``lms/fonts/full/``), so the output never depends on the machine's fonts.

Typst lays it out (``certificates/typst/certificate.typ``), not WeasyPrint, which still renders
the evidence record: the same certificate took WeasyPrint four times a one-line document of its
own, most of it laying out text and boxes; with Typst the whole render, QR code included, takes
a fifth of that time (docs/benchmarks.md). The certificate's data goes in as one JSON string through ``sys.inputs``
and is only ever shown as text, never read as markup."""

import json
import re
import threading
from pathlib import Path

import segno
import typst
from segno import consts as qr_modes

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import get_text_list

from lms.pdf_fonts import FULL_FONTS_DIR
from lms.pdf_text import words_unbroken
from modules.selectors import clause_reference_order

TEMPLATE = Path(__file__).resolve().parent / "typst" / "certificate.typ"
# Typst's words when PDF/A stops it drawing a character no bundled font has a glyph for.
UNDRAWABLE = re.compile(r'the text `?"(?P<text>[^"]*)"`? could not be displayed')
PDF_STANDARDS = ["a-3a", "ua-1"]

_per_thread = threading.local()


def verification_url(*, certificate):
    return settings.SITE_URL + reverse("certificates:verify", kwargs={"code": certificate.code})


# What a QR code's alphanumeric mode holds, in 5.5 bits a character instead of bytes' 8 (ISO/IEC
# 18004, 7.4.4): the verification code's capitals and digits and the slash after them.
QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def verification_qr(*, certificate):
    """The verification link as a QR code (error correction M): the address up to the code as
    bytes, the code and what follows in the alphanumeric mode, about 70 bits fewer. That is often
    a symbol one size smaller (four modules fewer a side: 33 rather than 37 for the demo's
    address), so each module prints larger in the same 32 mm and scans more easily, and choosing
    its mask costs less. A code from before the capitals-only codes (small letters, ``_``) stays
    in bytes."""
    url = verification_url(certificate=certificate)
    start = url.rfind(certificate.code)
    tail = url[start:]
    if start <= 0 or not set(tail) <= QR_ALPHANUMERIC:
        return segno.make(url, error="m")
    return segno.make(
        [(url[:start], qr_modes.MODE_BYTE), (tail, qr_modes.MODE_ALPHANUMERIC)], error="m"
    )


def assessed_against_lines(*, policies, clauses):
    """What a certificate was assessed against, one line per policy document: the document with
    its version, then the clauses cited from it in reading order with their versions ("Cafcass
    Social media policy, version 2.1: clauses 2.1, 2.5 and 2.13 (clause version 1 of each)").

    Each document is named once, with everything a reader needs of it; a document whose clauses
    the scope does not hold is named with its version alone."""
    cited = {}
    for clause in clauses:
        key = (clause["organisation"], clause["document"], clause["document_version"])
        cited.setdefault(key, []).append(clause)
    documents = [
        (policy["organisation"], policy["title"], policy["version"]) for policy in policies
    ]
    named = set(documents)
    documents += [key for key in cited if key not in named]
    lines = []
    for organisation, title, version in documents:
        name = f"{organisation} {title}, version {version}"
        of_document = cited.get((organisation, title, version))
        lines.append(f"{name}: {_clauses_text(of_document)}" if of_document else name)
    return lines


def _clauses_text(clauses):
    clauses = sorted(
        clauses, key=lambda clause: (clause_reference_order(clause["reference"]), clause["version"])
    )
    versions = {clause["version"] for clause in clauses}
    if len(versions) == 1:
        references = get_text_list([clause["reference"] for clause in clauses], "and")
        if len(clauses) == 1:
            return f"clause {references} (clause version {versions.pop()})"
        return f"clauses {references} (clause version {versions.pop()} of each)"
    return "clauses " + get_text_list(
        [f"{clause['reference']} (clause version {clause['version']})" for clause in clauses],
        "and",
    )


def certificate_pdf_data(*, certificate):
    """Everything the certificate shows, as the template reads it: text already worded, so the
    template only lays it out."""
    url = verification_url(certificate=certificate)
    qr = verification_qr(certificate=certificate)
    assessed_against = [
        words_unbroken(line)
        for line in assessed_against_lines(
            policies=certificate.scope.get("policies", []),
            clauses=certificate.scope.get("clauses", []),
        )
    ]
    details = []
    if certificate.is_base_competence:
        modules = [
            f"{module['title']} (certificate {module['certificate']}, score "
            f"{floatformat(module['score'], 0)}%, pass mark {module['pass_mark']}%)"
            for module in certificate.scope.get("modules", [])
        ]
        details.append(_detail("Modules covered", _semicolons(modules)))
    details.append(_detail("Assessed against", _semicolons(assessed_against)))
    if not certificate.is_base_competence:
        details.append(
            _detail(
                "Score",
                [f"{floatformat(certificate.score, 0)}% (pass mark {certificate.pass_mark}%)"],
            )
        )
    details += [
        _detail("Issued", [_day(timezone.localtime(certificate.issued_at))]),
        _detail("Valid until", [_day(certificate.expires_on)]),
        _detail("Serial number", [certificate.serial]),
        _detail("Verification code", [certificate.code_for_reading], kind="code"),
    ]
    kind = "base competence" if certificate.is_base_competence else "completion"
    return {
        "title": f"Certificate {certificate.serial}: {certificate.title}",
        "organisation": settings.ORGANISATION_NAME,
        "description": f"Certificate of {certificate.title} awarded to {certificate.holder_name}",
        "heading": f"Certificate of {kind}",
        "holder": certificate.holder_name,
        "scope_intro": "has shown"
        if certificate.is_base_competence
        else "has passed the assessment for the module",
        "scope": "base competence in social media"
        if certificate.is_base_competence
        else certificate.title,
        "details": details,
        "qr": {
            # One image pixel a module, drawn unsmoothed: sharp at any size, and far cheaper to
            # draw and embed than a vector of every module.
            "modules": "".join("1" if module else "0" for row in qr.matrix for module in row),
            "size": len(qr.matrix),
            "alt": f"QR code linking to the verification page for certificate {certificate.serial}",
        },
        "url": url,
    }


def _detail(label, lines, *, kind="lines"):
    return {"label": label, "lines": lines, "kind": kind}


def _semicolons(lines):
    """Lines of one value, each on its own line; the semicolons make a screen reader pause
    between them, as it reads the value as one paragraph."""
    return [line + ";" for line in lines[:-1]] + lines[-1:]


def _day(value):
    return dateformat.format(value, "j F Y")


def _compiler_fonts():
    """The project's DejaVu files and nothing else: not the machine's fonts, nor Typst's own."""
    return typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FULL_FONTS_DIR)]
    )


def _compiler():
    """This thread's Typst compiler, made once: it reads the template and the fonts once, and
    keeps what it laid out for the next certificate (Typst's own caches, evicted as it goes)."""
    compiler = getattr(_per_thread, "compiler", None)
    if compiler is None:
        compiler = _per_thread.compiler = typst.Compiler(
            input=TEMPLATE, root=TEMPLATE.parent, font_paths=_compiler_fonts()
        )
    return compiler


class CertificateRenderError(Exception):
    pass


def certificate_pdf_render(*, certificate):
    """Render once, at issue; downloads serve the stored bytes and never call this again. Dated
    by the issue, so the same certificate renders to the same bytes."""
    data = certificate_pdf_data(certificate=certificate)
    try:
        return _compiler().compile(
            format="pdf",
            sys_inputs={"certificate": json.dumps(data)},
            pdf_standards=PDF_STANDARDS,
            timestamp=certificate.issued_at.replace(microsecond=0),
        )
    except typst.TypstError as error:
        undrawable = UNDRAWABLE.search(error.message)
        if undrawable:
            raise CertificateRenderError(
                f"Certificate {certificate.serial} was not issued: “{undrawable['text']}” cannot "
                "be drawn in the certificate's fonts (DejaVu Sans), and a PDF/A file may not "
                "leave a character blank. Add a font that has it to lms/fonts/full/."
            ) from error
        raise CertificateRenderError(
            f"Certificate {certificate.serial} could not be laid out: {error.message}"
        ) from error
