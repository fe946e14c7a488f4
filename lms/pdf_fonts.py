"""The fonts the service's PDFs (certificates, evidence records) embed: files bundled in the
project, so a PDF never depends on the fonts of the machine that rendered it. Templates declare
them with @font-face under their own family name, which shows in the PDF which files were used.

Each family comes in two files: the European letters first (``*-Europe.ttf``, made by
``scripts/pdf_fonts_subset.py``), then the full DejaVu file (in ``full/``, the only folder the
certificate's Typst compiler reads) for any other character. WeasyPrint
copies and subsets the whole file a text run came from on every render, so the small file most
text comes from saves that work; the full file is read only when a character needs it.

What WeasyPrint would otherwise redo on every render is kept per thread (Pango and fontconfig
objects are not shared between threads): the font configuration, which otherwise builds a new
fontconfig setup and writes each @font-face file to a temporary folder, and the parsed
stylesheets with their @font-face rules. Together that was a third of a certificate's render."""

import threading
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from django.template.loader import render_to_string

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FULL_FONTS_DIR = FONTS_DIR / "full"

_per_thread = threading.local()


def pdf_font_uris():
    """The regular and bold faces, as the file URIs a template's @font-face rules point at: the
    European subsets, and the full files (``*_full``) to fall back on."""
    return {
        "font_regular": (FONTS_DIR / "DejaVuSans-Europe.ttf").as_uri(),
        "font_bold": (FONTS_DIR / "DejaVuSans-Bold-Europe.ttf").as_uri(),
        "font_regular_full": (FULL_FONTS_DIR / "DejaVuSans.ttf").as_uri(),
        "font_bold_full": (FULL_FONTS_DIR / "DejaVuSans-Bold.ttf").as_uri(),
    }


def pdf_font_config():
    """This thread's WeasyPrint font configuration, made once and passed to every render."""
    font_config = getattr(_per_thread, "font_config", None)
    if font_config is None:
        font_config = _per_thread.font_config = FontConfiguration()
    return font_config


def pdf_stylesheet(template_name):
    """The stylesheet template ``template_name``, given the font URIs, parsed once per thread
    against this thread's font configuration (pass both to ``write_pdf``). A changed template is
    read again by a new worker process."""
    stylesheets = _per_thread.__dict__.setdefault("stylesheets", {})
    if template_name not in stylesheets:
        stylesheets[template_name] = weasyprint.CSS(
            string=render_to_string(template_name, pdf_font_uris()),
            font_config=pdf_font_config(),
        )
    return stylesheets[template_name]
