"""Rendering a certificate to an accessible PDF (PDF/A-3a: tagged, with language, title and
fonts bundled in the project, so the output does not depend on the machine's fonts)."""

import segno
import weasyprint

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from lms.pdf_fonts import pdf_font_config, pdf_stylesheet

STYLESHEET = "certificates/certificate_pdf.css"


def verification_url(*, certificate):
    return settings.SITE_URL + reverse("certificates:verify", kwargs={"code": certificate.code})


def certificate_pdf_html(*, certificate):
    """The certificate's HTML (its stylesheet is ``STYLESHEET``, parsed once per thread)."""
    url = verification_url(certificate=certificate)
    context = {
        "certificate": certificate,
        "verification_url": url,
        # One pixel per module, drawn without smoothing (the stylesheet's image-rendering): as
        # sharp as a vector at any size, and WeasyPrint draws it in a fraction of an SVG's time.
        "qr_png_data_uri": segno.make(url, error="m").png_data_uri(scale=1, border=0),
        "organisation_name": settings.ORGANISATION_NAME,
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
