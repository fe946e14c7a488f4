"""The certificate PDF: what it says, that it is PDF/A-3a and tagged, its stored hash, and that
downloads serve the stored bytes without rendering again."""

import base64
import hashlib
import io
import re
import threading
from pathlib import Path

import pytest
import segno
import typst
import zxingcpp
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from django.urls import reverse

from certificates import pdf, services
from certificates.services import certificate_issue_base_competence
from lms import pdf_fonts
from lms.pdf_text import WORD_JOINER
from tests.factories import module_certificate_for
from tests.pdf_accessibility import (
    font_names,
    fonts_not_embedded,
    heading_levels,
    headings_out_of_order,
    structure_elements,
    text_outside_the_structure_tree,
)

PDFA_ID = "http://www.aiim.org/pdfa/ns/id/"
PDFUA_ID = "http://www.aiim.org/pdfua/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _reader(certificate):
    with certificate.pdf.open("rb") as stored:
        return PdfReader(io.BytesIO(stored.read()))


def _text(reader):
    """The text as a reader copies it. Whether a word joiner (lms.pdf_text.WORD_JOINER, which
    has no glyph) comes out with its neighbour depends on the text library's build: dropped."""
    return " ".join(page.extract_text() for page in reader.pages).replace(WORD_JOINER, "")


def _structure(node, found):
    node = node.get_object()
    if "/S" in node:
        found.append((str(node["/S"]), node.get("/Alt")))
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        if hasattr(kid.get_object(), "get"):
            _structure(kid, found)
    return found


@pytest.fixture
def certificate(people, quiz):
    return module_certificate_for(person=people["staff"], quiz=quiz)


@pytest.mark.django_db
def test_the_pdf_names_the_person_scope_policies_serial_and_verification_link(certificate, clause):
    text = _text(_reader(certificate))
    assert "Sam Staff" in text
    assert "has passed the assessment for the module" in text and certificate.title in text
    assert f"{clause.document.title}, version {clause.document.version}" in text
    assert "Score 100% (pass mark 60%)" in text
    assert f"Serial number {certificate.serial}" in text
    assert certificate.expires_on.strftime("%-d %B %Y") in text
    link = pdf.verification_url(certificate=certificate)
    assert link == f"https://learning.example.org/certificates/verify/{certificate.code}/"
    assert link in re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    ("policies", "cited", "lines"),
    [
        pytest.param(
            [
                ("Cafcass", "Community guidelines", "not stated"),
                ("Cafcass", "Dos and don'ts", "3"),
                ("Cafcass", "Social media policy", "2.1"),
            ],
            [
                ("Cafcass", "Social media policy", "2.1", "2.13", 1),
                ("Cafcass", "Social media policy", "2.1", "2.5", 1),
                ("Cafcass", "Social media policy", "2.1", "2.1", 1),
                ("Cafcass", "Community guidelines", "not stated", "s.3.1", 2),
                ("Cafcass", "Dos and don'ts", "3", "do.10", 1),
                ("Cafcass", "Dos and don'ts", "3", "do.2", 3),
            ],
            [
                "Cafcass Community guidelines, version not stated: clause s.3.1 (clause version 2)",
                "Cafcass Dos and don'ts, version 3: clauses do.2 (clause version 3) and do.10 "
                "(clause version 1)",
                "Cafcass Social media policy, version 2.1: clauses 2.1, 2.5 and 2.13 (clause "
                "version 1 of each)",
            ],
            id="each document once with its version, references in reading order, every version",
        ),
        pytest.param(
            [("Cafcass", "Social media policy", "2"), ("Probation", "Social media policy", "1")],
            [
                ("Probation", "Social media policy", "1", "2.1", 4),
                ("Cafcass", "Social media policy", "2", "2.1", 1),
            ],
            [
                "Cafcass Social media policy, version 2: clause 2.1 (clause version 1)",
                "Probation Social media policy, version 1: clause 2.1 (clause version 4)",
            ],
            id="a title two organisations share is two documents",
        ),
        pytest.param(
            [("Cafcass", "Social media policy", "2.0"), ("Cafcass", "Social media policy", "2.1")],
            [
                ("Cafcass", "Social media policy", "2.1", "2.5", 2),
                ("Cafcass", "Social media policy", "2.0", "2.5", 1),
            ],
            [
                "Cafcass Social media policy, version 2.0: clause 2.5 (clause version 1)",
                "Cafcass Social media policy, version 2.1: clause 2.5 (clause version 2)",
            ],
            id="a base-competence scope holding a document at two versions keeps them apart",
        ),
        pytest.param(
            [("Cafcass", "Social media policy", "2.1")],
            [("Cafcass", "RIPA guidance", "1", "4", 1)],
            [
                "Cafcass Social media policy, version 2.1",
                "Cafcass RIPA guidance, version 1: clause 4 (clause version 1)",
            ],
            id="a document without clauses is named alone, and a clause's document is never lost",
        ),
        pytest.param([], [], [], id="nothing cited"),
    ],
)
def test_assessed_against_lines(policies, cited, lines):
    clauses = [
        {
            "organisation": organisation,
            "document": document,
            "document_version": document_version,
            "reference": reference,
            "version": version,
        }
        for organisation, document, document_version, reference, version in cited
    ]
    policies = [
        {"organisation": organisation, "title": title, "version": version}
        for organisation, title, version in policies
    ]
    assert pdf.assessed_against_lines(policies=policies, clauses=clauses) == lines


@pytest.mark.django_db
def test_no_line_of_the_pdf_breaks_inside_a_clause_reference(certificate):
    """References like "s.17.1" and "1.2-must-not-9" fill several lines. Left to itself, the
    line breaker may end a line inside one: WeasyPrint's did after "s.", and Typst's (Unicode's
    rules) does after a hyphen followed by a letter, leaving "1.2-must-" and "not-9"."""
    references = (
        [f"s.{number}.1" for number in range(1, 21)]
        + [f"1.2-must-not-{number}" for number in range(1, 21)]
        + ["dont.10", "do.2"]
    )
    certificate.scope = {  # not saved: only this render sees it
        **certificate.scope,
        "clauses": [
            {
                "id": index,
                "organisation": "Cafcass",
                "document": "Guidance on use of social media (dos and don'ts)",
                "reference": reference,
                "version": 1,
                "document_version": "not stated",
                "heading": "Heading",
            }
            for index, reference in enumerate(references)
        ],
    }
    reader = PdfReader(io.BytesIO(pdf.certificate_pdf_render(certificate=certificate)))
    lines = _text(reader).splitlines()
    assert not [
        (line, after)
        for line, after in zip(lines, lines[1:], strict=False)
        if re.search(r"\b(dont|s|\d)\.$", line)
        and after[:1].isdigit()
        or re.search(r"\d\.\d-(must-)?(not-)?$", line)
    ]
    words = re.sub(r"\s+", " ", " ".join(lines))
    assert all(re.search(rf"{re.escape(reference)}\b", words) for reference in references)


@pytest.mark.django_db
def test_the_pdf_names_each_document_once_with_the_version_of_each_clause_cited(
    certificate, clause
):
    text = re.sub(r"\s+", " ", _text(_reader(certificate)))
    assert certificate.scope["clauses"]
    lines = pdf.assessed_against_lines(
        policies=certificate.scope["policies"], clauses=certificate.scope["clauses"]
    )
    for line in lines:
        assert line in text
    document = clause.document
    assert (
        f"{document.organisation} {document.title}, version {clause.edition}: "
        f"clause {clause.reference} (clause version {clause.version})"
    ) in text
    assert text.count(document.title) == 1
    assert "Clause versions" not in text


@pytest.mark.django_db
def test_the_link_and_qr_code_lead_to_the_verification_page(certificate):
    page = _reader(certificate).pages[0]
    uris = {annotation.get_object()["/A"]["/URI"] for annotation in page["/Annots"]}
    assert uris == {pdf.verification_url(certificate=certificate)}


def _decoded(matrix_image):
    """What a phone's scanner reads: the image at four pixels a module with the quiet zone the
    standard asks for around it, decoded by ZXing (not the encoder that drew it)."""
    size = matrix_image.width
    framed = Image.new("L", (size + 8, size + 8), 255)
    framed.paste(matrix_image.convert("L"), (4, 4))
    framed = framed.resize((framed.width * 4, framed.height * 4), Image.NEAREST)
    return [result.text for result in zxingcpp.read_barcodes(framed)]


def _decoded_as_drawn(qr):
    """A QR code drawn as the certificate draws it (one pixel a module, no border), decoded."""
    data_uri = qr.png_data_uri(scale=1, border=0)
    return _decoded(Image.open(io.BytesIO(base64.b64decode(data_uri.split(",")[1]))))


@pytest.mark.django_db
def test_the_qr_code_is_the_verification_link_one_pixel_per_module_drawn_without_smoothing(
    certificate,
):
    page = _reader(certificate).pages[0]
    [image] = page.images
    pixels = image.image.convert("1")
    drawn = [
        [not pixels.getpixel((x, y)) for x in range(pixels.width)] for y in range(pixels.height)
    ]
    expected = pdf.verification_qr(certificate=certificate).matrix
    assert drawn == [[bool(module) for module in row] for row in expected]
    [xobject] = [value.get_object() for value in page["/Resources"]["/XObject"].values()]
    # No /Interpolate is PDF's default, false: a viewer draws each module as a sharp square.
    assert not bool(xobject.get("/Interpolate", False))
    link = pdf.verification_url(certificate=certificate)
    assert _decoded(image.image) == [link]
    assert pixels.width <= segno.make(link, error="m").symbol_size(scale=1, border=0)[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("site", "modules", "all_in_bytes"),
    [("http://127.0.0.1", 33, 37), ("https://training.example.gov.uk", 37, 41)],
)
def test_the_code_in_the_alphanumeric_mode_makes_fewer_larger_modules(
    certificate, settings, site, modules, all_in_bytes
):
    settings.SITE_URL = site
    qr = pdf.verification_qr(certificate=certificate)
    link = pdf.verification_url(certificate=certificate)
    assert link.startswith(site)
    assert qr.symbol_size(scale=1, border=0)[0] == modules
    assert segno.make(link, error="m").symbol_size(scale=1, border=0)[0] == all_in_bytes
    assert _decoded_as_drawn(qr) == [link]


@pytest.mark.django_db
def test_a_code_from_before_the_capitals_only_codes_is_carried_in_bytes(certificate):
    # The 27-character URL-safe codes of the first certificates.
    certificate.code = "aZ_9-" + "x" * 22
    qr = pdf.verification_qr(certificate=certificate)
    assert qr.mode == "byte"
    assert _decoded_as_drawn(qr) == [pdf.verification_url(certificate=certificate)]


def _xmp(reader, namespace, name):
    """A property of the PDF's XMP metadata, written as an element or as an attribute."""
    root = reader.xmp_metadata.rdf_root
    values = [node.firstChild.data for node in root.getElementsByTagNameNS(namespace, name)]
    for description in root.getElementsByTagNameNS(RDF, "Description"):
        if description.hasAttributeNS(namespace, name):
            values.append(description.getAttributeNS(namespace, name))
    return values


@pytest.mark.django_db
def test_the_pdf_is_pdfa_3a_and_pdfua_1_tagged_with_language_title_alt_text_and_bundled_fonts(
    certificate,
):
    reader = _reader(certificate)
    catalog = reader.trailer["/Root"]
    assert _xmp(reader, PDFA_ID, "part") == ["3"]
    assert _xmp(reader, PDFA_ID, "conformance") == ["A"]
    assert _xmp(reader, PDFUA_ID, "part") == ["1"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title == f"Certificate {certificate.serial}: {certificate.title}"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])

    tags = _structure(catalog["/StructTreeRoot"], [])
    assert {"/H1", "/L", "/Lbl", "/LBody", "/Link"} <= {tag for tag, _ in tags}
    figures = [alt for tag, alt in tags if tag == "/Figure"]
    assert figures == [
        f"QR code linking to the verification page for certificate {certificate.serial}"
    ]

    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert {fonts[key].get_object()["/BaseFont"].split("+", 1)[1] for key in fonts} == {
        "DejaVuSans",
        "DejaVuSans-Bold",
    }
    for key in fonts:
        descendant = fonts[key].get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()


def test_the_certificate_knows_no_font_but_the_project_s_own_files():
    """Neither the machine's fonts nor those built into Typst: a certificate looks the same
    whichever machine rendered it."""
    fonts = pdf._compiler_fonts().fonts()
    assert {(font.family, font.weight) for font in fonts} == {
        ("DejaVu Sans", 400),
        ("DejaVu Sans", 700),
    }
    assert {Path(font.path).parent for font in fonts} == {pdf_fonts.FULL_FONTS_DIR}


@pytest.mark.django_db
def test_the_stored_sha256_is_the_hash_of_the_stored_file(certificate):
    with certificate.pdf.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == certificate.sha256
    assert certificate.pdf.storage is services.Certificate._meta.get_field("pdf").storage
    # (The test storage outlives each test, so a reused serial may get a suffix there.)
    assert re.fullmatch(
        rf"certificates/{certificate.issued_at:%Y}/{certificate.serial}(_\w+)?\.pdf",
        certificate.pdf.name,
    )


@pytest.mark.django_db
def test_the_base_competence_pdf_lists_the_modules_it_covers(people, quiz, second_quiz):
    first = module_certificate_for(person=people["staff"], quiz=quiz)
    second = module_certificate_for(person=people["staff"], quiz=second_quiz)
    base = certificate_issue_base_competence(person=people["staff"])
    text = _text(_reader(base))
    assert "Certificate of base competence" in text and "base competence in social media" in text
    for module_certificate in (first, second):
        assert module_certificate.title in text and module_certificate.serial in text
    assert "Information sharing policy, version 3.0" in text
    assert f"Serial number {base.serial}" in text


# The shape of a base-competence certificate over the four shipped modules: 41 clause versions of
# three documents, as the bench's drawn attempts cite them.
SHIPPED_MODULE_TITLES = [
    "Your personal use of social media",
    "Privacy and security settings",
    "WhatsApp with children and families",
    "Viewing service users' social media",
]
SHIPPED_SIZED_CLAUSES = [
    ("Social media community guidelines", ["s.3.1", "s.3.2", "s.6.2"]),
    (
        "Social media policy",
        ["1.2", "2.1", "2.4", "2.5", "2.6", "2.7", "2.10", "2.11", "2.12"]
        + ["2.13", "2.14", "2.15", "2.17", "2.18", "2.19", "2.20", "3.7"],
    ),
    (
        "Guidance on use of social media (dos and don'ts)",
        ["2", "3", "4", "5", "6", "7"]
        + [f"do.{n}" for n in (1, 2, 3, 4, 6, 7, 8)]
        + [f"dont.{n}" for n in (1, 2, 3, 5, 7, 9, 10, 11)],
    ),
]


@pytest.mark.django_db
def test_a_base_competence_certificate_of_the_shipped_modules_fits_on_one_page(
    people, quiz, second_quiz
):
    module_certificate_for(person=people["staff"], quiz=quiz)
    module_certificate_for(person=people["staff"], quiz=second_quiz)
    base = certificate_issue_base_competence(person=people["staff"])
    module = base.scope["modules"][0]
    base.scope = {  # not saved: only this render sees it
        **base.scope,
        "modules": [{**module, "title": title} for title in SHIPPED_MODULE_TITLES],
        "clauses": [
            {
                "id": index,
                "organisation": "Cafcass",
                "document": document,
                "reference": reference,
                "version": 1,
                "document_version": "2.1",
                "heading": "Heading",
            }
            for index, (document, reference) in enumerate(
                (document, reference)
                for document, references in SHIPPED_SIZED_CLAUSES
                for reference in references
            )
        ],
    }
    assert len(base.scope["clauses"]) == 41
    reader = PdfReader(io.BytesIO(pdf.certificate_pdf_render(certificate=base)))
    assert len(reader.pages) == 1
    assert "dont.10 and dont.11 (clause version 1 of each)" in re.sub(r"\s+", " ", _text(reader))


@pytest.mark.django_db
def test_a_download_serves_the_stored_file_and_never_renders(
    certificate, people, client_for, monkeypatch
):
    def must_not_render(**kwargs):
        raise AssertionError("a download rendered the PDF again")

    monkeypatch.setattr(pdf, "certificate_pdf_render", must_not_render)
    monkeypatch.setattr(services, "certificate_pdf_render", must_not_render)
    monkeypatch.setattr(pdf, "_compiler", must_not_render)

    response = client_for(people["staff"]).get(
        reverse("certificates:download", args=[certificate.serial])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == certificate.sha256


@pytest.mark.django_db
def test_a_screen_reader_finds_all_of_a_certificate_in_its_structure(people, quiz, second_quiz):
    """Beyond the metadata: every piece of text is inside the structure tree, headings are in
    order, the QR code is a figure with alternative text, each detail is a labelled item of a list
    (its label, then its value, the modules included), and every font is embedded."""
    module_certificate_for(person=people["staff"], quiz=quiz)
    module_certificate_for(person=people["staff"], quiz=second_quiz)
    base = certificate_issue_base_competence(person=people["staff"])
    reader = _reader(base)
    assert text_outside_the_structure_tree(reader) == []
    elements = structure_elements(reader)
    levels = heading_levels(elements)
    assert levels and headings_out_of_order(levels) == []
    [figure] = [element for element in elements if element["tag"] == "/Figure"]
    assert (
        figure["alt"] == f"QR code linking to the verification page for certificate {base.serial}"
    )
    [details] = [element for element in elements if element["tag"] == "/L"]
    assert (
        details["children"] == ["/LI"] * 6
    )  # modules, assessed against, issued, valid, serial, code
    items = [element for element in elements if element["tag"] == "/LI"]
    assert [item["children"] for item in items] == [["/Lbl", "/LBody"]] * 6
    assert fonts_not_embedded(reader) == []


def _render_for(certificate, holder_name):
    certificate.holder_name = holder_name  # not saved: only this render sees it
    reader = PdfReader(io.BytesIO(pdf.certificate_pdf_render(certificate=certificate)))
    return reader, _text(reader)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "holder_name", ["Zoë Łukasiewicz-Ωμέγα Жанна", "Անի Ծառուկյան", "Siân ap Gwilym", "O'Brien"]
)
def test_names_in_the_scripts_dejavu_covers_come_out_whole_in_the_bundled_fonts(
    certificate, holder_name
):
    reader, text = _render_for(certificate, holder_name)
    assert holder_name in text
    assert {name.split("+", 1)[1] for name in font_names(reader)} <= {
        "DejaVuSans",
        "DejaVuSans-Bold",
    }
    assert fonts_not_embedded(reader) == []
    assert text_outside_the_structure_tree(reader) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "holder_name",
    ['#panic("typst code")', "*bold* _emph_ $x$ ] [ \\ // comment", "<label> @ref = Heading"],
)
def test_a_name_written_like_typst_markup_is_shown_as_written_never_run(certificate, holder_name):
    """The data goes in as JSON and is only ever shown as text: a name cannot run code,
    restyle the page or add a heading."""
    reader, text = _render_for(certificate, holder_name)
    assert holder_name in text
    headings = [element for element in structure_elements(reader) if element["tag"] == "/H1"]
    assert len(headings) == 1


@pytest.mark.django_db
def test_a_name_the_bundled_fonts_cannot_draw_stops_the_render_with_a_clear_error(certificate):
    """PDF/A forbids drawing a character with no glyph (WeasyPrint drew an empty box in its
    place). A name in a script DejaVu lacks, such as Chinese, stops the render and says which
    character; the service then saves nothing (test_issuing)."""
    with pytest.raises(pdf.CertificateRenderError, match="“王” cannot be drawn") as raised:
        _render_for(certificate, "王小明")
    assert isinstance(raised.value.__cause__, typst.TypstError)


def test_the_european_font_files_hold_what_they_promise_and_the_full_files_the_rest():
    for name in ("DejaVuSans", "DejaVuSans-Bold"):
        europe = set(TTFont(pdf_fonts.FONTS_DIR / f"{name}-Europe.ttf").getBestCmap())
        full = set(TTFont(pdf_fonts.FULL_FONTS_DIR / f"{name}.ttf").getBestCmap())
        assert {ord(char) for char in "AzÿŁœŵẞΩωЖжё€–“”…"} <= europe
        assert europe < full and ord("Ա") in full - europe


@pytest.mark.django_db
def test_renders_in_one_thread_share_one_compiler_and_another_thread_gets_its_own(certificate):
    """The compiler reads the template and fonts once per thread and keeps its layout caches
    for the next certificate; the Typst binding does not promise its compilers are safe to
    share between threads."""
    first = pdf.certificate_pdf_render(certificate=certificate)
    here = pdf._compiler()
    assert pdf.certificate_pdf_render(certificate=certificate) == first  # dated by the issue
    assert pdf._compiler() is here
    elsewhere = {}
    worker = threading.Thread(target=lambda: elsewhere.update(compiler=pdf._compiler()))
    worker.start()
    worker.join()
    assert elsewhere["compiler"] is not here
