"""An L&D author imports a Moodle GIFT bank in the admin (preview, then confirm) and finds the
export form: every screen axe-clean, with no console or CSP errors."""

from quizzes.models import Question

from .steps import sign_in

GIFT = b"""::MC:: Which account do you use? {=Work#Yes. ~Personal#No.}

::TF:: Screenshots of a family's post are allowed.{F#No.#Right.}
"""


def test_author_previews_and_imports_a_gift_bank(page, people, quiz, tmp_path):
    bank = tmp_path / "bank.gift"
    bank.write_bytes(GIFT)
    before = Question.objects.filter(quiz=quiz).count()
    sign_in(page, "alex.author", start_at="/accounts/login/?next=/admin/quizzes/question-bank/")
    page.get_by_role("heading", name="Import a Moodle question bank").wait_for()
    page.audit.check()

    # A file with a type we have not got: every problem listed by line, nothing saved.
    essay = tmp_path / "essay.gift"
    essay.write_bytes(GIFT + b"\n::Essay:: Describe it. {}\n")
    page.get_by_label("Quiz", exact=True).first.select_option(str(quiz.pk))
    page.get_by_label("Question bank", exact=True).set_input_files(str(essay))
    page.get_by_role("button", name="Check and preview").click()
    page.get_by_role("heading", name="Nothing was imported: the file has 1 problem").wait_for()
    assert (
        "line 5: question “Essay”: essay is not a question type"
        in page.locator("#import-errors").inner_text()
    )
    page.audit.check()

    page.get_by_label("Quiz", exact=True).first.select_option(str(quiz.pk))
    page.get_by_label("Question bank", exact=True).set_input_files(str(bank))
    page.get_by_role("button", name="Check and preview").click()
    page.get_by_role("heading", name="Preview: nothing has been saved yet").wait_for()
    page.audit.check()
    assert Question.objects.filter(quiz=quiz).count() == before

    page.get_by_role("button", name="Import exactly this").click()
    page.get_by_text("Imported 2 questions into").wait_for()
    page.audit.check()
    assert Question.objects.filter(quiz=quiz).count() == before + 2
