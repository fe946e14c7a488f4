"""Each step block renders what staff need, and the stream refuses decisions that would trap them."""

import pytest
from wagtail_factories import ImageFactory

from django.core.exceptions import ValidationError

from modules.blocks import (
    DecisionBlock,
    KeyRulesBlock,
    ModuleStepBlock,
    NarrativeBlock,
    PolicyExtractBlock,
    ReflectionBlock,
)
from tests.factories import PolicyClauseFactory, PolicyDocumentFactory


@pytest.fixture
def cited(db):
    document = PolicyDocumentFactory(
        title="WhatsApp policy", organisation="Northmoor Council", version="3.1"
    )
    return PolicyClauseFactory(
        document=document,
        reference="4.3",
        heading="Consent for under-16s",
        summary="A parent consents in writing.",
    )


def _choice(text, *, clause, correct=False, branch_to=""):
    return {
        "text": text,
        "consequence": f"Consequence of {text}",
        "feedback": f"Feedback on {text}",
        "clause": clause.pk,
        "is_correct": correct,
        "branch_to": branch_to,
    }


def _decision(key, *, clause, branches=("", ""), correct=0):
    return {
        "type": "decision",
        "value": {
            "key": key,
            "heading": f"Decision {key}",
            "situation": "<p>What now?</p>",
            "choices": [
                _choice(
                    f"{key} choice {index}",
                    clause=clause,
                    correct=index == correct,
                    branch_to=branch,
                )
                for index, branch in enumerate(branches)
            ],
        },
    }


def _clean(raw_steps):
    block = ModuleStepBlock()
    return block.clean(block.to_python(raw_steps))


def _messages(error):
    return str(error.as_json_data())


@pytest.mark.django_db
def test_narrative_renders_heading_rich_text_and_image_with_its_alternative_text():
    image = ImageFactory(title="Jade's phone")
    block = NarrativeBlock()
    value = block.to_python(
        {
            "heading": "Meet Jade",
            "body": "<p>Jade is <b>14</b>.</p>",
            "image": image.pk,
            "image_alt": "A phone showing a WhatsApp chat",
        }
    )

    html = block.render(value)

    assert '<h1 class="govuk-heading-l">Meet Jade</h1>' in html
    assert "<b>14</b>" in html
    assert 'alt="A phone showing a WhatsApp chat"' in html and "<img" in html


@pytest.mark.django_db
def test_narrative_image_needs_alternative_text():
    image = ImageFactory()
    block = NarrativeBlock()
    with pytest.raises(ValidationError):
        block.clean(
            block.to_python(
                {"heading": "H", "body": "<p>B</p>", "image": image.pk, "image_alt": ""}
            )
        )


def test_policy_extract_renders_the_clause_with_its_document_and_version(cited):
    block = PolicyExtractBlock()
    html = block.render(block.to_python({"clause": cited.pk, "commentary": "Why it matters here."}))

    assert "Consent for under-16s" in html and "A parent consents in writing." in html
    assert "Northmoor Council WhatsApp policy (version 3.1), clause 4.3" in html
    assert "Why it matters here." in html


def test_a_later_clause_version_is_named_in_the_citation(cited):
    from modules.services import policy_clause_revise

    newer = policy_clause_revise(
        clause=cited, heading="Consent", summary="Both parents consent.", user=None
    )
    block = PolicyExtractBlock()
    html = block.render(block.to_python({"clause": newer.pk, "commentary": ""}))
    assert "clause 4.3 (clause version 2)" in html


def test_decision_shows_the_choices_as_keyboard_operable_radios_before_a_choice(cited):
    block = DecisionBlock()
    value = block.to_python(_decision("d1", clause=cited, branches=("", "", ""))["value"])

    html = block.render(value)

    assert "<legend" in html and "What do you do?" in html
    for index in range(3):
        assert f'id="choice-{index}" name="choice" type="radio" value="{index}"' in html
        assert f'for="choice-{index}"' in html
    assert 'name="decide"' in html
    assert "Feedback on" not in html  # no feedback before choosing


def test_decision_shows_the_feedback_and_clause_of_the_chosen_option(cited):
    block = DecisionBlock()
    value = block.to_python(_decision("d1", clause=cited)["value"])

    html = block.render(value, context={"chosen": value["choices"][1]})

    assert 'id="feedback"' in html and 'tabindex="-1"' in html
    assert "You chose: d1 choice 1" in html
    assert "This is not what the policy expects." in html
    assert "Consequence of d1 choice 1" in html and "Feedback on d1 choice 1" in html
    assert "Northmoor Council WhatsApp policy (version 3.1), clause 4.3" in html
    assert 'type="radio"' not in html


def test_reflection_renders_the_prompt(db):
    block = ReflectionBlock()
    html = block.render(
        block.to_python({"heading": "Think", "prompt": "How would you explain this to Jade?"})
    )
    assert "Think" in html and "How would you explain this to Jade?" in html


def test_key_rules_render_each_rule_with_its_citation(cited):
    block = KeyRulesBlock()
    html = block.render(
        block.to_python(
            {"heading": "Key rules", "rules": [{"text": "Consent first.", "clause": cited.pk}]}
        )
    )
    assert "Consent first." in html
    assert "Northmoor Council WhatsApp policy (version 3.1), clause 4.3" in html


def test_a_decision_needs_exactly_one_policy_correct_choice(cited):
    raw = _decision("d1", clause=cited)
    raw["value"]["choices"][1]["is_correct"] = True
    with pytest.raises(ValidationError) as raised:
        _clean([raw])
    assert "Mark exactly one choice as the policy-correct choice." in _messages(raised.value)

    raw["value"]["choices"][0]["is_correct"] = raw["value"]["choices"][1]["is_correct"] = False
    with pytest.raises(ValidationError):
        _clean([raw])


@pytest.mark.parametrize("count, valid", [(1, False), (2, True), (5, True), (6, False)])
def test_a_decision_has_two_to_five_choices(cited, count, valid):
    raw = _decision("d1", clause=cited, branches=("",) * count)
    if valid:
        _clean([raw])
    else:
        with pytest.raises(ValidationError):
            _clean([raw])


def test_a_choice_may_branch_to_a_later_decision(cited):
    steps = _clean(
        [
            _decision("d1", clause=cited, branches=("", "d3")),
            _decision("d2", clause=cited),
            _decision("d3", clause=cited),
        ]
    )
    assert steps[0].value["choices"][1]["branch_to"] == "d3"


def test_a_branch_to_a_missing_decision_is_a_clear_error_on_that_choice(cited):
    with pytest.raises(ValidationError) as raised:
        _clean([_decision("d1", clause=cited, branches=("", "d9")), _decision("d2", clause=cited)])
    errors = raised.value.as_json_data()
    message = errors["blockErrors"][0]["blockErrors"]["choices"]["blockErrors"][1]["blockErrors"][
        "branch_to"
    ]["messages"][0]
    assert message == "There is no decision with the key “d9” in this module."


@pytest.mark.parametrize("target", ["d1", "d2"])
def test_a_branch_backwards_or_to_its_own_decision_is_refused(cited, target):
    with pytest.raises(ValidationError) as raised:
        _clean(
            [_decision("d1", clause=cited), _decision("d2", clause=cited, branches=(target, ""))]
        )
    errors = raised.value.as_json_data()
    message = errors["blockErrors"][1]["blockErrors"]["choices"]["blockErrors"][0]["blockErrors"][
        "branch_to"
    ]["messages"][0]
    assert (
        message
        == f"A choice can only branch to a later decision, and “{target}” is not after this one."
    )


def test_decision_keys_are_unique_in_a_module(cited):
    with pytest.raises(ValidationError) as raised:
        _clean([_decision("d1", clause=cited), _decision("d1", clause=cited)])
    errors = raised.value.as_json_data()
    assert (
        errors["blockErrors"][1]["blockErrors"]["key"]["messages"][0]
        == "Another decision already uses the key “d1”."
    )
    assert 0 not in errors["blockErrors"]


def test_decisions_without_keys_get_unique_keys_from_their_headings(cited):
    first, second, keyed = (
        _decision("", clause=cited),
        _decision("", clause=cited),
        _decision("decision", clause=cited),
    )
    for raw in (first, second):
        raw["value"]["heading"] = "Jade asks for your number"
    keyed["value"]["heading"] = "Anything"
    steps = _clean([keyed, first, second])
    assert [step.value["key"] for step in steps] == [
        "decision",
        "jade-asks-for-your-number",
        "jade-asks-for-your-number-2",
    ]


def test_a_made_key_is_kept_when_the_steps_are_saved_again(cited):
    steps = _clean([_decision("", clause=cited)])
    made = steps[0].value["key"]
    block = ModuleStepBlock()
    again = _clean(block.get_prep_value(steps) + [_decision("", clause=cited)])
    assert again[0].value["key"] == made
    assert again[1].value["key"] != made


def test_a_new_decision_starts_with_the_two_choices_it_needs():
    assert len(DecisionBlock().get_default()["choices"]) == 2


def test_an_empty_module_is_refused_on_submit_without_a_minimum_count_shown_beforehand():
    block = ModuleStepBlock()
    # No min_num: the editor would show its message in red before the author typed anything.
    assert block.meta.min_num is None
    with pytest.raises(ValidationError) as raised:
        block.clean(block.to_python([]))
    assert "This field is required." in _messages(raised.value)


@pytest.mark.django_db
def test_the_decisions_clause_is_cited_by_every_choice_without_its_own(cited):
    other = PolicyClauseFactory(reference="9.9", heading="Another clause")
    raw = _decision("d1", clause=cited, branches=("", "", ""))
    raw["value"]["clause"] = cited.pk
    raw["value"]["choices"][0]["clause"] = None
    raw["value"]["choices"][1]["clause"] = other.pk
    raw["value"]["choices"][2]["clause"] = None
    decision = _clean([raw])[0].value
    # What reads a choice finds its clause on the choice itself.
    assert [choice["clause"] for choice in decision["choices"]] == [cited, other, cited]
    assert decision["clause"] == cited
    # Shown again, the choices that cite the decision's clause name none of their own, so that
    # changing the decision's clause changes theirs; the one that differs keeps its own.
    state = DecisionBlock().get_form_state(decision)
    assert state["clause"]["id"] == cited.pk
    assert [(item["value"]["clause"] or {}).get("id") for item in state["choices"]] == [
        None,
        other.pk,
        None,
    ]


@pytest.mark.django_db
def test_a_decision_clause_no_choice_cites_is_not_kept(cited):
    other = PolicyClauseFactory(reference="9.9", heading="Another clause")
    raw = _decision("d1", clause=cited)
    raw["value"]["clause"] = other.pk
    decision = _clean([raw])[0].value
    assert decision["clause"] is None
    assert all(choice["clause"] == cited for choice in decision["choices"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("uncited", "message"),
    [((1,), "choice 2 cites none"), ((0, 1), "choices 1 and 2 cite none")],
)
def test_a_choice_citing_nothing_is_refused_when_the_decision_cites_nothing(
    cited, uncited, message
):
    raw = _decision("d1", clause=cited)
    for index in uncited:
        raw["value"]["choices"][index]["clause"] = None
    with pytest.raises(ValidationError) as raised:
        _clean([raw])
    assert f"Choose the clause the decision rests on, or one for each choice: {message}." in (
        _messages(raised.value)
    )
