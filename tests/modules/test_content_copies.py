"""The own-words check: a content file's text that repeats a policy's, word for word."""

import json
from io import StringIO

import pytest

from django.core.management import CommandError, call_command

from modules.content_copies import content_strings, copied_runs, policy_runs, words_of

POLICY = (
    "4.2 Staff must never accept a service user or their carer as a friend on a personal "
    "account, and must report any such request to their manager."
)


def _runs(length=8):
    return policy_runs(texts=[POLICY], length=length)


def test_a_sentence_taken_over_is_found_with_its_place_and_length():
    explanation = "In short, staff must never accept a service user or their carer as a pal."
    data = {"quiz": {"questions": [{"key": "q1", "explanation": explanation}]}}
    [run] = copied_runs(data=data, runs=_runs())
    assert run.where == "quiz.questions[0].explanation"
    assert run.words == "staff must never accept a service user or their carer as a"
    assert run.length == 12


def test_seven_words_in_a_row_are_the_writer_s_own():
    data = {"explanation": "As the rule says: staff must never accept a service user, ever."}
    assert copied_runs(data=data, runs=_runs()) == []


def test_capitals_punctuation_html_and_curly_quotes_do_not_hide_a_copy():
    data = {
        "body_html": "<p>Staff MUST never <strong>accept</strong> a service-user or "
        "their carer, as a friend</p>"
    }
    [run] = copied_runs(data=data, runs=_runs())
    assert run.words == "staff must never accept a service user or their carer as a friend"
    assert words_of("Don\u2019t &amp; <em>won't</em>") == ["don't", "won't"]


def test_overlapping_and_touching_windows_are_one_stretch_and_two_stretches_are_two():
    policy = " ".join(f"w{n}" for n in range(40))
    runs = policy_runs(texts=[policy], length=8)
    copied = (
        " ".join(f"w{n}" for n in range(0, 12))
        + " mine "
        + " ".join(f"w{n}" for n in range(20, 28))
    )
    found = copied_runs(data={"text": copied}, runs=runs, length=8)
    assert [run.length for run in found] == [12, 8]
    assert found[1].words.startswith("w20 ")


def test_values_that_name_things_are_not_prose():
    data = {"key": POLICY, "clause": POLICY, "slug": POLICY, "steps": [{"heading": "Own words"}]}
    assert list(content_strings(data)) == [("steps[0].heading", "Own words")]
    assert copied_runs(data=data, runs=_runs()) == []


@pytest.fixture
def policies(tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "council.txt").write_text(POLICY, encoding="utf-8")
    return folder


def _content(tmp_path, text):
    path = tmp_path / "module-1.json"
    path.write_text(json.dumps({"steps": [{"type": "narrative", "body_html": text}]}))
    return path


def test_the_command_lists_each_copy_and_fails(tmp_path, policies):
    path = _content(tmp_path, f"<p>{POLICY}</p>")
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 stretch\(es\) copied word for word"):
        call_command("content_copy_check", str(path), policies=str(policies), stdout=out)
    assert "module-1.json: steps[0].body_html: 28 words: “4 2 staff must never" in out.getvalue()


def test_the_command_passes_content_in_its_own_words(tmp_path, policies):
    path = _content(tmp_path, "<p>Turn down friend requests from the families you work with.</p>")
    out = StringIO()
    call_command("content_copy_check", str(path), policies=str(policies), stdout=out)
    assert "1 file(s) checked against 1 policies: nothing copied" in out.getvalue()


def test_a_shorter_run_can_be_asked_for(tmp_path, policies):
    path = _content(tmp_path, "You must report any such request at once.")
    call_command("content_copy_check", str(path), policies=str(policies), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command(
            "content_copy_check", str(path), policies=str(policies), words=4, stdout=StringIO()
        )


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing folder", "No such folder of policy texts"),
        ("empty folder", "holds no policy text"),
        ("bad json", "not valid JSON"),
        ("missing file", "No such file"),
        ("tiny runs", "--words must be at least 3"),
    ],
)
def test_bad_input_gets_a_clear_error(tmp_path, policies, setup, message):
    folder, words = policies, 8
    path = _content(tmp_path, "Fine.")
    if setup == "missing folder":
        folder = tmp_path / "nowhere"
    elif setup == "empty folder":
        folder = tmp_path / "empty"
        folder.mkdir()
    elif setup == "bad json":
        path.write_text("{not json")
    elif setup == "missing file":
        path = tmp_path / "gone.json"
    else:
        words = 2
    with pytest.raises(CommandError, match=message):
        call_command(
            "content_copy_check", str(path), policies=str(folder), words=words, stdout=StringIO()
        )
