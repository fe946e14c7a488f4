"""Make the smaller font files the evidence record's PDF tries first (lms/fonts/*-Europe.ttf) from
the full DejaVu files in lms/fonts/full/: the Latin, Greek and Cyrillic letters, punctuation and symbols that names,
titles and policy references are written in, with every OpenType layout feature kept.

Each render embeds only the glyphs it uses whichever file it reads, but WeasyPrint copies and
subsets the whole file it read on every render: a file a quarter the size is that much less
work. Characters outside these ranges still come out in DejaVu, from the full files, which the
templates name as the next font. Run again (`python scripts/pdf_fonts_subset.py`) after
replacing the full files."""

from pathlib import Path

from fontTools import subset

FONTS_DIR = Path(__file__).resolve().parent.parent / "lms" / "fonts"
UNICODE_RANGES = (
    "U+0000-024F",  # Basic Latin, Latin-1, Latin Extended-A and -B
    "U+0250-02FF",  # IPA extensions, spacing modifier letters
    "U+0300-036F",  # combining diacritical marks
    "U+0370-03FF",  # Greek
    "U+0400-052F",  # Cyrillic and its supplement
    "U+1E00-1EFF",  # Latin Extended Additional (Welsh ŵ ŷ, Vietnamese)
    "U+2000-206F",  # general punctuation (dashes, quotes, ellipsis)
    "U+20A0-20CF",  # currency symbols
    "U+2100-214F",  # letterlike symbols
    "U+2190-21FF",  # arrows
    "U+2212",  # minus sign
    "U+FB00-FB06",  # Latin ligatures
    "U+FFFD",  # replacement character
)


def main():
    for name in ("DejaVuSans", "DejaVuSans-Bold"):
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]  # keeps the copyright and licence notices the licence requires
        options.notdef_outline = True
        options.drop_tables += ["FFTM"]  # FontForge's timestamp, which fontTools cannot subset
        font = subset.load_font(str(FONTS_DIR / "full" / f"{name}.ttf"), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=subset.parse_unicodes(",".join(UNICODE_RANGES)))
        subsetter.subset(font)
        subset.save_font(font, str(FONTS_DIR / f"{name}-Europe.ttf"), options)
        font.close()


if __name__ == "__main__":
    main()
