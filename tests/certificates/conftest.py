import pytest

from tests.factories import module_page_create, quiz_for


@pytest.fixture
def second_quiz(quiz, clause):
    """A second base-competence module beside the ``quiz`` fixture's, citing a clause of another policy."""
    from tests.factories import PolicyClauseFactory

    other_clause = PolicyClauseFactory(
        reference="4.2", document__title="Information sharing policy", document__version="3.0"
    )
    module = module_page_create(
        clause=other_clause, title="Instagram and families", slug="instagram"
    )
    return quiz_for(module=module, clause=other_clause)


@pytest.fixture
def fast_pdf(monkeypatch):
    """Stand in for the renderer where a test is about lists, logs or statuses, not the PDF itself:
    a small, distinct PDF-looking file per certificate, still stored through the storage API."""
    calls = []

    def render(*, certificate):
        calls.append(certificate.pk)
        return f"%PDF-1.7\n% certificate {certificate.serial} {certificate.code}\n%%EOF\n".encode()

    monkeypatch.setattr("certificates.services.certificate_pdf_render", render)
    return calls
