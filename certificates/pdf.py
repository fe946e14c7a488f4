"""Rendering a certificate to an accessible PDF (PDF/A-3a: tagged, with language, title and
fonts bundled in the project, so the output does not depend on the machine's fonts)."""

import segno
import weasyprint
from segno import consts as qr_modes

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import get_text_list

from lms.pdf_fonts import pdf_font_config, pdf_stylesheet
from modules.selectors import clause_reference_order

STYLESHEET = "certificates/certificate_pdf.css"


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

    The certificate used to name the documents in one row and again, with their clauses, in a
    second: every title twice, and the second row was the longest text on the page, which
    WeasyPrint lays out again for each line it breaks. Each document is now named once, with
    everything both rows said. A document whose clauses the scope does not hold is named with
    its version alone."""
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


def certificate_pdf_html(*, certificate):
    """The certificate's HTML (its stylesheet is ``STYLESHEET``, parsed once per thread)."""
    url = verification_url(certificate=certificate)
    context = {
        "certificate": certificate,
        "verification_url": url,
        # One pixel per module, drawn without smoothing (the stylesheet's image-rendering): as
        # sharp as a vector at any size, and WeasyPrint draws it in a fraction of an SVG's time.
        "qr_png_data_uri": verification_qr(certificate=certificate).png_data_uri(scale=1, border=0),
        "organisation_name": settings.ORGANISATION_NAME,
        "assessed_against": assessed_against_lines(
            policies=certificate.scope.get("policies", []),
            clauses=certificate.scope.get("clauses", []),
        ),
    }
    return render_to_string("certificates/certificate_pdf.html", context)


def certificate_pdf_render(*, certificate):
    """Render once, at issue; downloads serve the stored bytes and never call this again."""
    html = certificate_pdf_html(certificate=certificate)
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[pdf_stylesheet(STYLESHEET)],
        font_config=pdf_font_config(),
        pdf_variant="pdf/a-3a",
        pdf_identifier=certificate.code.encode(),
    )
