"""The quiz page's questions as drawn by ``quizzes.question_inputs``: every kind's inputs, their
states and errors, and every value escaped, since the drawing builds HTML outside the template
language. Pure: snapshots in, HTML out, no database."""

import lxml.html
import pytest

from quizzes.question_inputs import question_fieldsets_html
from quizzes.views import question_for_form

HOSTILE = '"><script>alert(1)</script><img src=x onerror="alert(2)">&amp;'
KINDS = ["single_choice", "true_false", "multiple_response", "ordering", "scenario_judgement"]


def snapshot(kind, *, text="Which is right?", option_texts=("First", "Second", "Third")):
    if kind == "true_false":
        options = [{"id": "true", "text": "True"}, {"id": "false", "text": "False"}]
    else:
        options = [
            {"id": f"o{index}", "text": option_text}
            for index, option_text in enumerate(option_texts)
        ]
    return {"id": 41, "type": kind, "text": text, "options": options}


def drawn(*questions_and_values, error=None):
    questions = [
        question_for_form(question, number=number, values=values, error=error)
        for number, (question, values) in enumerate(questions_and_values, start=1)
    ]
    html = question_fieldsets_html(questions)
    return html, lxml.html.fragment_fromstring(html, create_parent="div")


@pytest.mark.parametrize("kind", KINDS)
def test_every_value_from_the_question_the_options_and_the_error_is_escaped(kind):
    question = snapshot(kind, text=HOSTILE, option_texts=(HOSTILE, "Plain"))
    if kind != "true_false":
        question["options"][1]["id"] = HOSTILE
    html, tree = drawn((question, []), error=HOSTILE)

    assert "<script" not in html and "<img" not in html
    assert not tree.xpath("//script | //img | //*[@onerror]")
    legend = tree.xpath("//legend[contains(@class, 'govuk-fieldset__legend--m')]")[0]
    assert legend.text_content().endswith(HOSTILE), "the text is shown as written"
    error = tree.xpath("//p[contains(@class, 'govuk-error-message')]")[0]
    assert error.text_content() == f"Error: {HOSTILE}"
    if kind != "true_false":
        assert HOSTILE in tree.text_content(), "the option's text is shown as written"
    if kind in ("single_choice", "multiple_response"):
        values = [element.get("value") for element in tree.xpath("//input")]
        assert values == ["o0", HOSTILE], "an option id is an attribute value, never markup"


@pytest.mark.parametrize(
    "kind,input_type,chosen",
    [
        ("single_choice", "radio", ["o1"]),
        ("true_false", "radio", ["false"]),
        ("multiple_response", "checkbox", ["o0", "o2"]),
    ],
)
def test_options_are_inputs_of_one_field_with_the_answers_given_checked(kind, input_type, chosen):
    html, tree = drawn((snapshot(kind), chosen))

    inputs = tree.xpath("//input")
    assert {element.get("type") for element in inputs} == {input_type}
    assert {element.get("name") for element in inputs} == {"q-41"}
    assert [element.get("value") for element in inputs if element.get("checked") is not None] == (
        chosen
    )
    for element in inputs:
        label = tree.xpath(f"//label[@for='{element.get('id')}']")
        assert len(label) == 1, "each input has its own label"
    assert inputs[0].get("id") == "q-41-0", "the error summary links to the first input"


def test_an_ordering_question_is_one_drop_down_of_positions_per_step():
    question = snapshot("ordering")
    html, tree = drawn((question, ["o0=3", "o2=1"]))

    selects = tree.xpath("//select")
    assert [select.get("name") for select in selects] == ["q-41.o0", "q-41.o1", "q-41.o2"]
    assert selects[0].get("id") == "q-41-0"
    for select in selects:
        assert [option.get("value") for option in select.xpath("option")] == ["", "1", "2", "3"]
        assert tree.xpath(f"//label[@for='{select.get('id')}']")
    chosen = [
        [option.get("value") for option in select.xpath("option[@selected]")] for select in selects
    ]
    assert chosen == [["3"], [""], ["1"]], "a step not yet placed shows 'Choose a position'"


def test_a_scenario_judgement_is_one_fieldset_per_action_with_a_radio_per_judgement():
    question = snapshot("scenario_judgement", option_texts=("Message the parent", "Add a friend"))
    html, tree = drawn((question, ["o1=not_appropriate"]))

    actions = tree.xpath("//fieldset[contains(@class, 'govuk-!-margin-bottom-4')]")
    assert [action.xpath("legend")[0].text_content() for action in actions] == [
        "Message the parent",
        "Add a friend",
    ]
    for action, option in zip(actions, question["options"], strict=True):
        radios = action.xpath(".//input")
        assert {radio.get("name") for radio in radios} == {f"q-41.{option['id']}"}
        assert [radio.get("value") for radio in radios] == ["appropriate", "not_appropriate"]
    checked = [radio.get("id") for radio in tree.xpath("//input[@checked]")]
    assert checked == ["q-41-1-not_appropriate"]
    assert tree.xpath("//input")[0].get("id") == "q-41-0"


def test_a_question_with_an_error_is_marked_and_described_by_it_and_one_without_is_not():
    html, tree = drawn((snapshot("single_choice"), []), error="Choose an answer")
    group = tree.xpath("//div[contains(@class, 'govuk-form-group')]")[0]
    assert group.get("class") == "govuk-form-group govuk-form-group--error"
    fieldset = group.xpath("fieldset")[0]
    assert fieldset.get("aria-describedby") == "q-41-error"
    assert tree.xpath("//*[@id='q-41-error']")[0].text_content() == "Error: Choose an answer"

    html, tree = drawn((snapshot("single_choice"), []))
    assert tree.xpath("//div[contains(@class, 'govuk-form-group')]")[0].get("class") == (
        "govuk-form-group"
    )
    assert tree.xpath("//fieldset")[0].get("aria-describedby") is None
    assert not tree.xpath("//*[contains(@class, 'govuk-error-message')]")


def test_questions_are_numbered_of_the_whole_page_and_hinted_by_their_kind():
    html, tree = drawn(
        (snapshot("single_choice"), []),
        (snapshot("multiple_response"), []),
        (snapshot("ordering"), []),
    )
    captions = [
        caption.text_content() for caption in tree.xpath("//span[@class='govuk-caption-m']")
    ]
    assert captions == ["Question 1 of 3", "Question 2 of 3", "Question 3 of 3"]
    hints = [hint.text_content() for hint in tree.xpath("//div[@class='govuk-hint']")]
    assert hints == ["Select all that apply.", "Give each step its position, 1 for the first."]


def test_nothing_of_the_key_reaches_the_page():
    question = snapshot("single_choice")
    question["options"][0].update(
        correct=True, feedback="Because the policy says so", clause="Policy 2.19"
    )
    question["explanation"] = "The explanation"
    html, tree = drawn((question, []))
    for secret in ("correct", "Because the policy says so", "Policy 2.19", "The explanation"):
        assert secret not in html
