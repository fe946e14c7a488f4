"""The fonts the service's PDFs (certificates, evidence records) embed: files bundled in the
project, so a PDF never depends on the fonts of the machine that rendered it. Templates declare
them with @font-face under their own family name, which shows in the PDF which files were used."""

from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent / "fonts"


def pdf_font_uris():
    """The regular and bold faces, as the file URIs a template's @font-face rules point at."""
    return {
        "font_regular": (FONTS_DIR / "DejaVuSans.ttf").as_uri(),
        "font_bold": (FONTS_DIR / "DejaVuSans-Bold.ttf").as_uri(),
    }
