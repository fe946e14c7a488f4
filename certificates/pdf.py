"""Rendering a certificate to an accessible PDF (PDF/A-3a: tagged, with language, title and
fonts bundled in the project, so the output does not depend on the machine's fonts)."""

from collections import Counter

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


def clause_versions_by_document(*, clauses):
    """The clause versions a certificate rests on (its scope's ``clauses``), one line per
    document: "Social media policy: clauses 2.1, 2.5 and 2.13, version 1 of each". Each
    reference and version is still stated, but the document is named once rather than once a
    clause. A certificate citing two dozen clauses read as a wall of text, and that one
    paragraph took WeasyPrint longer than the rest of the certificate, since it lays out what
    is left of a paragraph again for each line it breaks. A document title that two
    organisations share is given with its organisation."""
    by_document = {}
    for clause in clauses:
        key = (clause["organisation"], clause["document"])
        by_document.setdefault(key, []).append(clause)
    organisations_per_title = Counter(title for _, title in by_document)
    lines = []
    for (organisation, title), cited in by_document.items():
        cited.sort(
            key=lambda clause: (clause_reference_order(clause["reference"]), clause["version"])
        )
        name = f"{organisation} {title}" if organisations_per_title[title] > 1 else title
        versions = {clause["version"] for clause in cited}
        if len(cited) == 1:
            [clause] = cited
            lines.append(f"{name}: clause {clause['reference']}, version {clause['version']}")
        elif len(versions) == 1:
            references = get_text_list([clause["reference"] for clause in cited], "and")
            lines.append(f"{name}: clauses {references}, version {versions.pop()} of each")
        else:
            references = get_text_list(
                [f"{clause['reference']} (version {clause['version']})" for clause in cited], "and"
            )
            lines.append(f"{name}: clauses {references}")
    return lines


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
        "clause_lines": clause_versions_by_document(clauses=certificate.scope.get("clauses", [])),
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
