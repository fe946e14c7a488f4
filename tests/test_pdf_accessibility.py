"""The PDF accessibility checks (tests/pdf_accessibility.py) find what they look for: a PDF with
untagged text and a font it does not carry fails them, headings that skip a level are named."""

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from tests.pdf_accessibility import (
    fonts_not_embedded,
    headings_out_of_order,
    pdf_reader,
    text_outside_the_structure_tree,
)


def _untagged_pdf():
    """One page saying "Hello" in Helvetica, named but not embedded, outside any marked content."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 20 100 Td (Hello) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(content)
    writer._root_object[NameObject("/StructTreeRoot")] = writer._add_object(
        DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    )
    output = io.BytesIO()
    writer.write(output)
    return pdf_reader(output.getvalue())


def test_untagged_text_and_a_font_not_embedded_are_found():
    reader = _untagged_pdf()
    [(page, operator, operands)] = text_outside_the_structure_tree(reader)
    assert page == 0 and operator == b"Tj" and operands[0] == "Hello"
    assert fonts_not_embedded(reader) == ["/Helvetica"]


def test_headings_that_skip_a_level_or_start_below_the_top_are_named():
    assert headings_out_of_order([1, 2, 3, 2, 2, 3]) == []
    assert headings_out_of_order([1, 3]) == ["a level 3 heading follows a level 1"]
    assert headings_out_of_order([2, 3]) == ["the first heading is a level 2"]
