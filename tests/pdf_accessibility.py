"""What makes a PDF usable with a screen reader, read back from the file itself (pypdf): its
language and title, a structure tree that holds every piece of text, headings in order, figures
with alternative text, real tables, and fonts embedded. Shared by the certificate and the evidence
record tests."""

import io
import re

from pypdf import PdfReader
from pypdf.generic import ContentStream

# Operators that put text on the page.
TEXT_SHOWING = {b"Tj", b"TJ", b"'", b'"'}


def pdf_reader(data):
    return PdfReader(io.BytesIO(data))


def structure_elements(reader):
    """Every element of the structure tree, depth first (reading order): dicts with its tag
    (``/H1``, ``/P``, ``/Figure``...), its alternative text and its direct child tags."""
    found = []

    def visit(node):
        node = node.get_object()
        kids = node.get("/K")
        kids = kids if isinstance(kids, list) else [] if kids is None else [kids]
        elements = [kid.get_object() for kid in kids if hasattr(kid.get_object(), "get")]
        if "/S" in node:
            found.append(
                {
                    "tag": str(node["/S"]),
                    "alt": node.get("/Alt"),
                    "children": [str(kid["/S"]) for kid in elements if "/S" in kid],
                }
            )
        for kid in elements:
            if "/S" in kid:
                visit(kid)

    visit(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def marked_content_ids(reader):
    """The marked-content ids (per page) the structure tree points at: the content it holds."""
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    held = set()

    def visit(node, page):
        if isinstance(node, int):
            held.add((page, node))
            return
        node = node.get_object()
        if not hasattr(node, "get"):
            if isinstance(node, int):
                held.add((page, node))
            return
        if "/Pg" in node:
            page = pages.get(node.raw_get("/Pg").idnum, page)
        if "/MCID" in node:
            held.add((page, int(node["/MCID"])))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [] if kids is None else [kids]:
            visit(kid, page)

    visit(reader.trailer["/Root"]["/StructTreeRoot"], None)
    return held


def text_outside_the_structure_tree(reader):
    """The text drawn on each page that no structure element holds (and that is not marked as an
    artifact: page furniture such as a page number), as (page number, operator, operands)."""
    held = marked_content_ids(reader)
    outside = []
    for number, page in enumerate(reader.pages):
        stack = []  # for each open marked-content sequence: its MCID, "artifact", or None
        content = ContentStream(page.get_contents(), reader)
        for operands, operator in content.operations:
            if operator in (b"BDC", b"BMC"):
                tag = str(operands[0])
                properties = operands[1] if operator == b"BDC" else {}
                properties = properties.get_object() if hasattr(properties, "get_object") else {}
                if tag == "/Artifact":
                    stack.append("artifact")
                elif hasattr(properties, "get") and "/MCID" in properties:
                    stack.append(int(properties["/MCID"]))
                else:
                    stack.append(None)
            elif operator == b"EMC":
                stack.pop()
            elif operator in TEXT_SHOWING:
                if "artifact" in stack:
                    continue
                ids = [mcid for mcid in stack if isinstance(mcid, int)]
                if not ids or (number, ids[-1]) not in held:
                    outside.append((number, operator, operands))
    return outside


def heading_levels(elements):
    return [
        int(element["tag"][2:]) for element in elements if re.fullmatch(r"/H\d", element["tag"])
    ]


def headings_out_of_order(levels):
    """Where a heading skips a level going down, or the first is not a level 1, as messages."""
    problems = []
    if levels and levels[0] != 1:
        problems.append(f"the first heading is a level {levels[0]}")
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"a level {after} heading follows a level {before}")
    return problems


def fonts_not_embedded(reader):
    """The names of the fonts some page uses without carrying the font file."""
    missing = []
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for key in fonts:
            font = fonts[key].get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not any(name in descriptor for name in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font.get("/BaseFont")))
    return missing


def font_names(reader):
    return {
        str(page["/Resources"]["/Font"][key].get_object()["/BaseFont"])
        for page in reader.pages
        for key in page["/Resources"].get("/Font", {})
    }
