import copy
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest

from django.core.management import CommandError, call_command

from modules.content_import import CONTENT_DIR
from modules.models import ModulePage, PolicyClause, PolicyDocument
from quizzes.content_import import ContentError, content_load
from quizzes.kinds import KINDS
from quizzes.models import Option, Question, Quiz

FIXTURES = Path(__file__).parent / "fixtures" / "content"
SHIPPED_FILES = sorted(CONTENT_DIR.glob("module-*.json"))


def _counts():
    return {
        "documents": PolicyDocument.objects.count(),
        "clauses": PolicyClause.objects.count(),
        "modules": ModulePage.objects.count(),
        "quizzes": Quiz.objects.count(),
        "questions": Question.objects.count(),
        "options": Option.objects.count(),
    }


def _copy_fixtures(tmp_path):
    for path in FIXTURES.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _module_spec():
    return json.loads((FIXTURES / "module-1-whatsapp.json").read_text())


def _write(directory, name, data):
    (directory / name).write_text(json.dumps(data))


@pytest.mark.django_db
def test_fixture_content_loads_every_step_type_and_the_supported_question_types():
    summary = content_load(directory=FIXTURES)

    assert summary["documents"] == 2 and summary["clauses"] == 4 and summary["modules"] == 1
    page = ModulePage.objects.get(slug="fixture-whatsapp")
    assert page.live and page.live_revision is not None
    assert [step.block_type for step in page.steps] == [
        "narrative",
        "policy_extract",
        "decision",
        "reflection",
        "decision",
        "key_rules",
    ]
    decision = page.steps[2].value
    assert decision["choices"][0]["clause"].reference == "4.3"
    assert decision["choices"][1]["branch_to"] == "record"
    assert page.steps[5].value["rules"][1]["clause"].reference == "5.2"
    assert "<li>How to record messages</li>" in page.learning_outcomes
    creatable = sorted(
        spec["key"] for spec in _module_spec()["quiz"]["questions"] if spec["type"] in KINDS
    )
    assert {"q1", "q2"} <= set(creatable)
    assert sorted(page.quiz.questions.values_list("key", flat=True)) == creatable
    assert page.quiz.questions.get(key="q1").critical is True


@pytest.mark.django_db
def test_an_unknown_question_type_loads_nothing_from_the_file_and_says_which(tmp_path):
    data = _module_spec()
    data["quiz"]["questions"][0]["type"] = "essay"
    _expect_file_rejected(tmp_path, data, message="unknown question type")


@pytest.mark.django_db
def test_loading_twice_creates_nothing_twice():
    call_command("load_content", directory=str(FIXTURES), stdout=StringIO(), stderr=StringIO())
    first = _counts()
    out = StringIO()
    call_command("load_content", directory=str(FIXTURES), stdout=out, stderr=StringIO())
    assert _counts() == first
    assert "0 policy documents, 0 clauses, 0 modules and 0 questions added" in out.getvalue()


@pytest.mark.django_db
def test_loading_again_keeps_an_authors_edits_and_newer_clause_versions(tmp_path):
    from modules.services import policy_clause_revise

    content_load(directory=FIXTURES)
    page = ModulePage.objects.get(slug="fixture-whatsapp")
    page.title = "Edited by an author"
    page.save_revision().publish()
    clause = PolicyClause.objects.get(reference="4.3")
    policy_clause_revise(clause=clause, heading="New heading", summary="New meaning.", user=None)

    content_load(directory=FIXTURES)

    page.refresh_from_db()
    assert page.title == "Edited by an author"
    assert PolicyClause.objects.filter(reference="4.3").count() == 2


def _expect_file_rejected(tmp_path, data, *, message):
    directory = _copy_fixtures(tmp_path)
    _write(directory, "module-1-whatsapp.json", data)
    stderr = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("load_content", directory=str(directory), stdout=StringIO(), stderr=stderr)
    reported = stderr.getvalue()
    assert message in reported, reported
    assert "Not loaded: module-1-whatsapp.json" in reported
    assert "1 content file(s) not loaded" in str(raised.value)
    # Nothing from the bad file: no page, no quiz, no question.
    assert not ModulePage.objects.filter(slug="fixture-whatsapp").exists()
    assert Quiz.objects.count() == 0 and Question.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_clause_key_loads_nothing_from_the_file(tmp_path):
    data = _module_spec()
    data["steps"][4]["choices"][2]["clause"] = "acme-social-media:9.99"
    _expect_file_rejected(
        tmp_path, data, message="clause acme-social-media:9.99 is not in the policy library"
    )


@pytest.mark.django_db
def test_an_unknown_clause_in_a_question_loads_nothing_from_the_file(tmp_path):
    data = _module_spec()
    data["quiz"]["questions"][1]["clause"] = "acme-social-media:nope"
    _expect_file_rejected(
        tmp_path, data, message="clause acme-social-media:nope is not in the policy library"
    )


@pytest.mark.django_db
def test_a_branch_to_an_unknown_decision_loads_nothing(tmp_path):
    data = _module_spec()
    data["steps"][2]["choices"][1]["branch_to"] = "nowhere"
    _expect_file_rejected(tmp_path, data, message="There is no decision with the key “nowhere”")


@pytest.mark.django_db
def test_a_branch_backwards_loads_nothing(tmp_path):
    data = _module_spec()
    data["steps"][4]["choices"][1]["branch_to"] = "ask"
    _expect_file_rejected(
        tmp_path, data, message="step 5 (decision “record”), choices, item 2, branch_to"
    )


@pytest.mark.django_db
def test_a_decision_with_two_correct_choices_loads_nothing(tmp_path):
    data = _module_spec()
    data["steps"][2]["choices"][1]["correct"] = True
    _expect_file_rejected(
        tmp_path, data, message="Mark exactly one choice as the policy-correct choice"
    )


@pytest.mark.django_db
def test_a_decision_with_one_choice_loads_nothing(tmp_path):
    data = _module_spec()
    data["steps"][4]["choices"] = data["steps"][4]["choices"][:1]
    _expect_file_rejected(tmp_path, data, message="step 5 (decision “record”)")


@pytest.mark.django_db
def test_an_unknown_step_type_loads_nothing(tmp_path):
    data = _module_spec()
    data["steps"].append({"type": "video", "heading": "Watch"})
    _expect_file_rejected(tmp_path, data, message="step 7: unknown step type 'video'")


@pytest.mark.django_db
def test_a_missing_field_loads_nothing(tmp_path):
    data = _module_spec()
    del data["steps"][0]["body_html"]
    _expect_file_rejected(
        tmp_path, data, message="step 1: a required field is missing: 'body_html'"
    )


@pytest.mark.django_db
def test_a_question_must_name_its_policy(tmp_path):
    data = _module_spec()
    del data["quiz"]["questions"][1]["policy"]
    _expect_file_rejected(
        tmp_path, data, message="question q2: a required field is missing: 'policy'"
    )


@pytest.mark.django_db
def test_a_page_field_out_of_range_loads_nothing(tmp_path):
    data = _module_spec()
    data["validity_months"] = 99
    _expect_file_rejected(tmp_path, data, message="less than or equal to 60")


@pytest.mark.django_db
def test_a_single_choice_question_with_two_correct_options_loads_nothing(tmp_path):
    data = _module_spec()
    data["quiz"]["questions"][0]["options"][1]["correct"] = True
    _expect_file_rejected(tmp_path, data, message="question q1")


@pytest.mark.django_db
def test_a_question_mixing_two_organisations_policies_loads_nothing(tmp_path):
    data = _module_spec()
    data["quiz"]["questions"][0]["options"][2]["clause"] = "other-guidance:7"
    _expect_file_rejected(
        tmp_path,
        data,
        message="the quiz fails the content check: Question q1 is about Acme Children's Services's "
        "policy (acme-social-media) but cites other-guidance:7 from Other Trust",
    )


@pytest.mark.django_db
def test_a_quiz_asking_about_a_clause_its_module_does_not_teach_loads_nothing(tmp_path):
    directory = _copy_fixtures(tmp_path)
    data = _module_spec()
    rules = data["steps"][-1]["rules"]
    rules[:] = [rule for rule in rules if rule["clause"] != "other-guidance:7"]
    _write(directory, "module-1-whatsapp.json", data)

    summary = content_load(directory=directory)

    assert summary["errors"] == [
        "module-1-whatsapp.json: the quiz fails the content check: Question q3 tests "
        "other-guidance:7, which no step of the module teaches; cite it in a step (a policy "
        "extract or a key rule), or take the question out."
    ]
    assert not ModulePage.objects.filter(slug="fixture-whatsapp").exists()


@pytest.mark.django_db
def test_a_question_citing_another_document_of_its_own_organisation_loads_nothing(tmp_path):
    # The content check allows the same organisation; the loader still keeps a question to the
    # one document it names.
    directory = _copy_fixtures(tmp_path)
    policies = json.loads((FIXTURES / "policies.json").read_text())
    sibling = copy.deepcopy(policies["documents"][1])
    sibling.update(
        key="acme-guidelines", organisation="Acme Children's Services", title="Acme guidelines"
    )
    policies["documents"].append(sibling)
    _write(directory, "policies.json", policies)
    data = _module_spec()
    data["quiz"]["questions"][0]["options"][2]["clause"] = "acme-guidelines:7"
    # Taught, so that the one-policy rule is the only one it breaks.
    data["steps"][-1]["rules"].append({"text": "Acme guidelines 7.", "clause": "acme-guidelines:7"})
    _write(directory, "module-1-whatsapp.json", data)

    summary = content_load(directory=directory)

    assert summary["errors"] == [
        "module-1-whatsapp.json: question q1: asks about acme-social-media but cites "
        "acme-guidelines:7; a question keeps to one policy"
    ]
    assert not ModulePage.objects.filter(slug="fixture-whatsapp").exists()
    assert Quiz.objects.count() == 0 and Question.objects.count() == 0


def _single_choice_copies(data, count):
    """Adds ``count`` single-choice questions keyed, like the first, at the first option."""
    for number in range(count):
        extra = copy.deepcopy(data["quiz"]["questions"][0])
        extra["key"] = f"extra{number}"
        data["quiz"]["questions"].append(extra)
    return data


@pytest.mark.django_db
def test_a_quiz_whose_keys_pile_up_in_one_position_loads_nothing(tmp_path):
    data = _single_choice_copies(_module_spec(), 2)
    _expect_file_rejected(
        tmp_path,
        data,
        message="module-1-whatsapp.json: the quiz fails the content check: The first option is "
        "the right answer in 3 of the 3 single-choice questions (100 %)",
    )


@pytest.mark.django_db
def test_the_same_quiz_with_its_keys_spread_loads(tmp_path):
    directory = _copy_fixtures(tmp_path)
    data = _single_choice_copies(_module_spec(), 2)
    for position, spec in enumerate(data["quiz"]["questions"][-2:], start=1):
        spec["options"].insert(position, spec["options"].pop(0))  # key to the 2nd, then 3rd
    _write(directory, "module-1-whatsapp.json", data)
    assert content_load(directory=directory)["errors"] == []
    assert Question.objects.filter(key__startswith="extra").count() == 2


@pytest.mark.django_db
def test_a_bank_smaller_than_twice_the_questions_per_attempt_loads_nothing(tmp_path):
    data = _module_spec()
    data["quiz"]["questions_per_attempt"] = 2
    _expect_file_rejected(
        tmp_path,
        data,
        message="The bank has 3 questions but 2 are asked per attempt; it needs at least 4",
    )


@pytest.mark.django_db
def test_a_topic_smaller_than_twice_its_draw_loads_nothing_and_names_every_problem(tmp_path):
    data = _single_choice_copies(_module_spec(), 2)
    data["quiz"]["topic_draws"] = [
        {"topic": "Consent", "count": 2},
        {"topic": "Phones", "count": 1},
    ]
    directory = _copy_fixtures(tmp_path)
    _write(directory, "module-1-whatsapp.json", data)

    summary = content_load(directory=directory)

    [error] = summary["errors"]
    assert error.startswith("module-1-whatsapp.json: the quiz fails the content check: ")
    assert "The first option is the right answer in 3 of the 3" in error
    assert "Topic “Consent” has 3 questions but 2 are drawn from it per attempt" in error
    assert "Topic “Phones” has 1 question but 1 is drawn from it per attempt" in error
    assert not ModulePage.objects.filter(slug="fixture-whatsapp").exists()
    assert Quiz.objects.count() == 0 and Question.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_module_file_does_not_stop_the_good_ones(tmp_path):
    directory = _copy_fixtures(tmp_path)
    bad = copy.deepcopy(_module_spec())
    bad["slug"] = "bad-module"
    bad["steps"][2]["choices"][0]["correct"] = False
    _write(directory, "module-2-bad.json", bad)

    summary = content_load(directory=directory)

    assert ModulePage.objects.filter(slug="fixture-whatsapp").exists()
    assert not ModulePage.objects.filter(slug="bad-module").exists()
    assert len(summary["errors"]) == 1 and summary["errors"][0].startswith(
        "module-2-bad.json: step 3"
    )


@pytest.mark.django_db
def test_a_bad_policies_file_loads_no_policy_and_no_module(tmp_path):
    directory = _copy_fixtures(tmp_path)
    policies = json.loads((FIXTURES / "policies.json").read_text())
    policies["documents"][1]["clauses"].append(policies["documents"][1]["clauses"][0])
    _write(directory, "policies.json", policies)

    with pytest.raises(
        CommandError, match="policies.json: clause other-guidance:7 is listed twice"
    ):
        call_command("load_content", directory=str(directory), stdout=StringIO(), stderr=StringIO())
    assert _counts() == {
        "documents": 0,
        "clauses": 0,
        "modules": 0,
        "quizzes": 0,
        "questions": 0,
        "options": 0,
    }


@pytest.mark.django_db
def test_invalid_json_is_a_clear_error(tmp_path):
    directory = _copy_fixtures(tmp_path)
    (directory / "policies.json").write_text("{ not json")
    with pytest.raises(ContentError, match="policies.json: not valid JSON"):
        content_load(directory=directory)


# The shipped content (modules/content/), once it is in the repository.


@pytest.mark.django_db
def test_shipped_content_loads_cleanly_and_twice_creates_nothing_twice():
    first = content_load()
    assert first["errors"] == []
    assert first["modules"] == len(SHIPPED_FILES) == 4
    counts = _counts()
    second = content_load()
    assert second["errors"] == [] and _counts() == counts
    assert (
        second["documents"],
        second["clauses"],
        second["modules"],
        second["module_drafts"],
        second["questions"],
        second["questions_replaced"],
        second["clause_versions"],
        second["clauses_updated"],
    ) == (0, 0, 0, 0, 0, 0, 0, 0)
    # Whose policy applies: only Together4Children staff are left without a fair draw, in the
    # privacy module (two of its questions rest on their policy); everyone else can take every
    # quiz, and retry it with a new set of questions.
    assert [warning.split(":")[0] for warning in first["warnings"]] == [
        "module-2-privacy-and-security-settings.json"
    ]
    assert "Staff of Together4Children cannot take this quiz" in first["warnings"][0]
    assert "same questions again" not in first["warnings"][0]


def _with_quiz_settings(**settings):
    data = _module_spec()
    data["quiz"].update(settings)
    return data


def _with_a_bank_twice_as_big(data):
    """Each question again under a new key: the content check wants a bank twice the draw."""
    again = copy.deepcopy(data["quiz"]["questions"])
    for question in again:
        # Another item, not a critical one, with its options in another order.
        question.update(key=f"{question['key']}-again", critical=False)
        if "options" in question:
            question["options"] = question["options"][1:] + question["options"][:1]
    data["quiz"]["questions"] += again
    return data


@pytest.mark.django_db
def test_quiz_settings_in_the_file_are_applied_when_the_quiz_is_created(tmp_path):
    directory = _copy_fixtures(tmp_path)
    _write(
        directory,
        "module-1-whatsapp.json",
        _with_a_bank_twice_as_big(
            _with_quiz_settings(
                questions_per_attempt=2,
                shuffle_questions=False,
                shuffle_options=True,
                can_take_without_module=True,
                topic_draws=[{"topic": "Consent", "count": 1}],
                max_attempts=6,
            )
        ),
    )
    assert content_load(directory=directory)["errors"] == []
    quiz = Quiz.objects.get(module__slug="fixture-whatsapp")
    assert (
        quiz.questions_per_attempt,
        quiz.shuffle_questions,
        quiz.shuffle_options,
        quiz.can_take_without_module,
        quiz.max_attempts,
    ) == (2, False, True, True, 6)
    assert [(draw.topic, draw.count) for draw in quiz.topic_draws.all()] == [("Consent", 1)]


@pytest.mark.django_db
def test_a_file_without_quiz_settings_gets_the_safe_defaults():
    content_load(directory=FIXTURES)
    quiz = Quiz.objects.get(module__slug="fixture-whatsapp")
    assert (
        quiz.questions_per_attempt,
        quiz.shuffle_questions,
        quiz.shuffle_options,
        quiz.can_take_without_module,
    ) == (None, True, True, False)
    assert not quiz.topic_draws.exists()


@pytest.mark.django_db
def test_loading_again_leaves_an_authors_quiz_settings_alone(tmp_path):
    content_load(directory=FIXTURES)
    quiz = Quiz.objects.get(module__slug="fixture-whatsapp")
    quiz.questions_per_attempt, quiz.can_take_without_module = 3, True
    quiz.save()
    directory = _copy_fixtures(tmp_path)
    _write(
        directory,
        "module-1-whatsapp.json",
        _with_a_bank_twice_as_big(
            _with_quiz_settings(
                questions_per_attempt=2,
                can_take_without_module=False,
                topic_draws=[{"topic": "Phones", "count": 1}],
            )
        ),
    )
    assert content_load(directory=directory)["errors"] == []
    quiz.refresh_from_db()
    assert (quiz.questions_per_attempt, quiz.can_take_without_module) == (3, True)
    assert not quiz.topic_draws.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"questions_per_attempt": "3"},
            "module-1-whatsapp.json: quiz “questions_per_attempt”: Input should be a valid integer",
        ),
        (
            {"questions_per_attempt": 0},
            "quiz “questions_per_attempt”: Input should be greater than or equal to 1",
        ),
        ({"max_attempts": 0}, "quiz “max_attempts”: Input should be greater than or equal to 1"),
        ({"shuffle_options": "yes"}, "quiz “shuffle_options”: Input should be a valid boolean"),
        (
            {"can_take_without_module": 1},
            "quiz “can_take_without_module”: Input should be a valid boolean",
        ),
        ({"topic_draws": {"Consent": 1}}, "quiz “topic_draws”: Input should be a valid list"),
        (
            {"topic_draws": [{"topic": "Consent", "count": 0}]},
            "quiz “topic_draws[0].count”: Input should be greater",
        ),
        ({"topic_draws": [{"topic": "Consent"}]}, "quiz “topic_draws[0].count”: Field required"),
        (
            {"topic_draws": [{"topic": "Consent", "count": 1, "critical": True}]},
            "quiz “topic_draws[0].critical”: Extra",
        ),
        (
            {"topic_draws": [{"topic": "Consent", "count": 1}, {"topic": "Consent", "count": 1}]},
            "quiz “topic_draws”: the topic “Consent” is listed twice",
        ),
    ],
)
def test_bad_quiz_settings_load_nothing_and_name_the_file_and_field(tmp_path, settings, message):
    _expect_file_rejected(tmp_path, _with_quiz_settings(**settings), message=message)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"questions_per_attempt": 4},
            "The bank holds 3 questions, so 4 cannot be drawn per attempt.",
        ),
        (
            {"topic_draws": [{"topic": "Consent", "count": 2}]},
            "Topic “Consent” has 1 question, so 2 cannot be drawn",
        ),
        (
            {"topic_draws": [{"topic": "Nowhere", "count": 1}]},
            "No question in the bank has the topic “Nowhere”.",
        ),
        # q1 is critical and in no counted topic, so it is always asked: one question cannot hold it and Phones.
        (
            {"questions_per_attempt": 1, "topic_draws": [{"topic": "Phones", "count": 1}]},
            "There are 1 critical questions outside the topics with a draw count",
        ),
    ],
)
def test_draw_settings_the_files_questions_cannot_meet_load_nothing(tmp_path, settings, message):
    _expect_file_rejected(
        tmp_path,
        _with_quiz_settings(**settings),
        message=f"module-1-whatsapp.json: the quiz's draw settings do not fit its questions: {message}",
    )


@pytest.mark.django_db
def test_a_relabelled_version_does_not_load_the_document_and_its_clauses_again(tmp_path):
    """A database loaded when a document's version was stored as "1.0" keeps that document when
    the file now says "not stated": nothing is loaded twice, and authors correct the label."""
    content_load(directory=FIXTURES)
    before = _counts()
    directory = _copy_fixtures(tmp_path)
    policies = json.loads((directory / "policies.json").read_text())
    policies["documents"][1]["version"] = "not stated"
    _write(directory, "policies.json", policies)

    content_load(directory=directory)

    assert _counts() == before
    assert PolicyDocument.objects.get(organisation="Other Trust").version == "1"


@pytest.mark.django_db
def test_a_document_new_to_the_library_is_stored_with_the_version_its_file_gives(tmp_path):
    directory = _copy_fixtures(tmp_path)
    policies = json.loads((directory / "policies.json").read_text())
    policies["documents"][1]["version"] = "not stated"
    _write(directory, "policies.json", policies)

    content_load(directory=directory)

    document = PolicyDocument.objects.get(organisation="Other Trust")
    assert document.version == "not stated"
    clause = document.clauses.first()
    assert clause.citation == f"{document.title} no version stated, clause {clause.reference}"


@pytest.mark.django_db
def test_the_shipped_library_invents_no_version_or_owner():
    """Four of the five sources print no version and none names an owning team: the library must
    not make one up (the Cafcass policy alone states version 2.1 and its owner)."""
    documents = json.loads((CONTENT_DIR / "policies.json").read_text())["documents"]
    stated = {doc["key"]: (doc["version"], doc["owner"]) for doc in documents}
    assert stated.pop("cafcass-social-media") == (
        "2.1",
        "Assistant Director (Performance and Quality Assurance)",
    )
    assert set(stated.values()) == {("not stated", "")}


def _fixture_with_a_changed_step(tmp_path):
    directory = _copy_fixtures(tmp_path)
    data = _module_spec()
    data["steps"][0]["heading"] = "A heading corrected in the file"
    _write(directory, "module-1-whatsapp.json", data)
    return directory


def _headings(raw_steps):
    steps = json.loads(raw_steps) if isinstance(raw_steps, str) else raw_steps
    return [step["value"].get("heading") for step in steps]


@pytest.mark.django_db
def test_changed_steps_in_a_file_become_a_draft_revision_once(tmp_path):
    content_load(directory=FIXTURES)
    page = ModulePage.objects.get(slug="fixture-whatsapp")
    live_revision = page.live_revision_id
    directory = _fixture_with_a_changed_step(tmp_path)

    first = content_load(directory=directory)
    again = content_load(directory=directory)

    page.refresh_from_db()
    assert (first["module_drafts"], again["module_drafts"]) == (1, 0)
    assert page.live_revision_id == live_revision  # learners still see the published steps
    assert page.latest_revision_id != live_revision and page.has_unpublished_changes
    assert "A heading corrected in the file" in _headings(page.latest_revision.content["steps"])
    assert "A heading corrected in the file" not in _headings(page.steps.raw_data)
    assert page.revisions.count() == 2
    assert ModulePage.objects.filter(slug="fixture-whatsapp").count() == 1


@pytest.mark.django_db
def test_unchanged_files_and_an_authors_published_edits_draft_nothing(django_user_model):
    content_load(directory=FIXTURES)
    page = ModulePage.objects.get(slug="fixture-whatsapp")
    author = django_user_model.objects.create(username="author-of-steps")
    page.steps = "[]"  # the author removed every step and published that
    page.save_revision(user=author).publish()

    summary = content_load(directory=FIXTURES)

    page.refresh_from_db()
    assert summary["module_drafts"] == 0
    assert page.latest_revision_id == page.live_revision_id


@pytest.mark.django_db
def test_an_authors_unpublished_draft_is_left_as_the_latest(tmp_path, django_user_model):
    content_load(directory=FIXTURES)
    page = ModulePage.objects.get(slug="fixture-whatsapp")
    author = django_user_model.objects.create(username="drafting-author")
    page.title = "An author's draft title"
    draft = page.save_revision(user=author)

    summary = content_load(directory=_fixture_with_a_changed_step(tmp_path))

    page.refresh_from_db()
    assert summary["module_drafts"] == 0 and page.latest_revision_id == draft.pk
