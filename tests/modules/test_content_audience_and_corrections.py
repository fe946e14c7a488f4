"""load_content and whose policy applies (organisations and audiences come from the content files),
and corrections reaching a database loaded from an older version of the files: new clause
versions and replaced questions, never duplicates nor silent edits, and nothing on a second run."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest

from django.core.management import CommandError, call_command

from lms.audit import CONTENT_PUBLISHED
from lms.models import AuditEvent
from modules.content_import import ContentError
from modules.models import PolicyClause, PolicyDocument
from people.models import Organisation
from quizzes.content_import import content_load
from quizzes.models import Question
from quizzes.selectors import clause_coverage

FIXTURES = Path(__file__).parent / "fixtures" / "content"


def _copy(tmp_path):
    for path in FIXTURES.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _read(directory, name):
    return json.loads((directory / name).read_text())


def _write(directory, name, data):
    (directory / name).write_text(json.dumps(data))


# --- organisations and audiences -----------------------------------------------------------------


@pytest.mark.django_db
def test_each_document_applies_to_the_organisations_its_file_names():
    content_load(directory=FIXTURES)
    assert set(Organisation.objects.values_list("code", "name")) == {
        ("acme", "Acme Children's Services"),
        ("other", "Other Trust"),
    }
    audiences = {
        document.title: sorted(document.audience.values_list("code", flat=True))
        for document in PolicyDocument.objects.all()
    }
    assert audiences == {"Social media policy": ["acme"], "Guidance on social media": ["other"]}


@pytest.mark.django_db
def test_a_changed_audience_in_the_file_reaches_the_database_and_a_second_run_changes_nothing(
    tmp_path,
):
    directory = _copy(tmp_path)
    content_load(directory=directory)
    policies = _read(directory, "policies.json")
    policies["documents"][1]["audience"] = ["acme", "other"]
    _write(directory, "policies.json", policies)

    content_load(directory=directory)
    content_load(directory=directory)

    guidance = PolicyDocument.objects.get(title="Guidance on social media")
    assert sorted(guidance.audience.values_list("code", flat=True)) == ["acme", "other"]
    assert Organisation.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda policies: policies["documents"][0].update(audience=["nobody"]),
            "document “acme-social-media” applies to “nobody”, which is not in “organisations”",
        ),
        (
            lambda policies: policies["documents"][0].update(audience=[]),
            "“documents[0].audience”: List should have at least 1 item",
        ),
        (lambda policies: policies["documents"][0].pop("audience"), "“documents[0].audience”"),
        (lambda policies: policies.pop("organisations"), "“organisations”: Field required"),
        (
            lambda policies: policies["organisations"].append({"key": "acme", "name": "Again"}),
            "the organisation “acme” is listed twice",
        ),
        (
            lambda policies: policies["organisations"][0].update(key="Not A Slug"),
            "“organisations[0].key”",
        ),
    ],
)
@pytest.mark.django_db
def test_a_bad_audience_in_the_file_loads_nothing_and_says_where(tmp_path, change, message):
    directory = _copy(tmp_path)
    policies = _read(directory, "policies.json")
    change(policies)
    _write(directory, "policies.json", policies)

    with pytest.raises(ContentError) as raised:
        content_load(directory=directory)

    assert str(raised.value).startswith("policies.json: ")
    assert message in str(raised.value)
    assert not PolicyDocument.objects.exists() and not Organisation.objects.exists()


@pytest.mark.django_db
def test_load_content_names_an_unknown_organisation(tmp_path):
    directory = _copy(tmp_path)
    policies = _read(directory, "policies.json")
    policies["documents"][1]["audience"] = ["hertfordshire"]
    _write(directory, "policies.json", policies)
    with pytest.raises(CommandError, match="applies to “hertfordshire”, which is not in"):
        call_command("load_content", directory=str(directory), stdout=StringIO())


# --- corrections reaching an existing database ---------------------------------------------------


def _correct_the_files(directory):
    """A newer version of the content: clause 4.3 means something else, question q1 is reworded,
    and clause 2.1 gets a location and a reason it is not assessed."""
    policies = _read(directory, "policies.json")
    clauses = {clause["reference"]: clause for clause in policies["documents"][0]["clauses"]}
    clauses["4.3"]["summary"] = "Use WhatsApp with a child under 16 only at the child's request."
    clauses["2.1"]["location"] = "section 2, first paragraph"
    clauses["2.1"]["not_assessed_reason"] = "Background only."
    _write(directory, "policies.json", policies)
    module = _read(directory, "module-1-whatsapp.json")
    module["quiz"]["questions"][0]["text"] += " (reworded)"
    _write(directory, "module-1-whatsapp.json", module)


@pytest.mark.django_db
def test_corrections_become_new_versions_and_a_second_run_changes_nothing(tmp_path):
    directory = _copy(tmp_path)
    content_load(directory=directory)
    old_clause = PolicyClause.objects.get(reference="4.3")
    old_q1 = Question.objects.get(key="q1")
    keys_before = sorted(Question.objects.values_list("key", flat=True))
    _correct_the_files(directory)

    summary = content_load(directory=directory)

    assert summary["clause_versions"] == 1 and summary["clauses_updated"] == 1
    # The old clause stays as it was (attempts and certificates cite it); a new version follows.
    versions = list(PolicyClause.objects.filter(reference="4.3").order_by("version"))
    assert [clause.version for clause in versions] == [1, 2]
    assert versions[0].pk == old_clause.pk and versions[0].summary == old_clause.summary
    assert versions[1].summary.endswith("at the child's request.")
    # Location and reason are not meaning: the same row, edited in place.
    assert PolicyClause.objects.filter(reference="2.1").count() == 1
    assert PolicyClause.objects.get(reference="2.1").not_assessed_reason == "Background only."
    # One question per key: q1 reworded, and every question citing 4.3 moved to version 2.
    assert sorted(Question.objects.values_list("key", flat=True)) == keys_before
    new_q1 = Question.objects.get(key="q1")
    assert new_q1.pk != old_q1.pk and new_q1.text.endswith("(reworded)")
    assert summary["questions_replaced"] >= 1
    cited = {
        option.clause_id
        for question in Question.objects.all()
        for option in question.options.all()
        if option.clause.reference == "4.3"
    }
    assert cited <= {versions[1].pk}
    assert AuditEvent.objects.filter(action=CONTENT_PUBLISHED, summary__contains="q1").exists()

    again = content_load(directory=directory)

    assert (again["clause_versions"], again["clauses_updated"], again["questions_replaced"]) == (
        0,
        0,
        0,
    )
    assert again["documents"] == again["clauses"] == again["questions"] == 0
    assert PolicyClause.objects.filter(reference="4.3").count() == 2
    assert Question.objects.get(key="q1").pk == new_q1.pk


@pytest.mark.django_db
def test_reloading_unchanged_files_replaces_no_question():
    content_load(directory=FIXTURES)
    ids = sorted(Question.objects.values_list("pk", flat=True))
    summary = content_load(directory=FIXTURES)
    assert summary["questions_replaced"] == 0 and summary["clause_versions"] == 0
    assert sorted(Question.objects.values_list("pk", flat=True)) == ids


# --- never-cited clauses -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_coverage_report_tells_a_gap_from_a_clause_with_a_recorded_reason(tmp_path):
    directory = _copy(tmp_path)
    policies = _read(directory, "policies.json")
    policies["documents"][0]["clauses"].append(
        {"reference": "9.1", "heading": "Gap", "summary": "A rule nothing teaches."}
    )
    policies["documents"][0]["clauses"].append(
        {
            "reference": "9.2",
            "heading": "Background",
            "summary": "Why the policy exists.",
            "not_assessed_reason": "Background: no rule of its own.",
        }
    )
    _write(directory, "policies.json", policies)
    content_load(directory=directory)

    rows = {row["reference"]: row for row in clause_coverage()}
    assert rows["9.1"]["coverage"] == "Never cited: a gap"
    assert rows["9.1"]["not_assessed_reason"] == ""
    assert rows["9.2"]["coverage"] == "Not assessed (reason recorded)"
    assert rows["9.2"]["not_assessed_reason"] == "Background: no rule of its own."
