"""Moodle question banks in and out: GIFT (``gift``) and Moodle XML (``moodle_xml``).

Both parsers read a file into the same neutral shape, a list of ``BankQuestion`` (and
``Unsupported`` entries for Moodle types this platform has no kind for), and both writers write
that shape back. Nothing here touches the database: ``quizzes.question_banks`` turns the shape
into questions and questions into the shape.

No maintained PyPI parser was worth a dependency: pygiftparser's last release is from 2017, it
builds HTML forms rather than data, and it keeps no line numbers; Moodle XML needs nothing beyond
lxml, which is installed (and is used here with entities, DTDs and the network turned off)."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

SINGLE_CHOICE = "single_choice"
MULTIPLE_RESPONSE = "multiple_response"
TRUE_FALSE = "true_false"
ORDERING = "ordering"

FULL_MARK = Decimal("100")

# Moodle refuses a grade that is not one of these (question/format.php: "match grades" is
# "error" by default), so an export only ever writes them, positive or negative.
MOODLE_GRADES = (
    "100",
    "90",
    "83.33333",
    "80",
    "75",
    "70",
    "66.66667",
    "60",
    "50",
    "40",
    "33.33333",
    "30",
    "25",
    "20",
    "16.66667",
    "14.28571",
    "12.5",
    "11.11111",
    "10",
    "5",
    "0",
)


class BankFileError(ValueError):
    """A file that cannot be read as a bank; ``problems`` are (line, message) pairs."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(problem_text(line, message) for line, message in self.problems))


def problem_text(line, message):
    return f"line {line}: {message}" if line else message


@dataclass
class BankAnswer:
    text: str
    weight: Decimal  # Moodle's percentage: 100 right, 0 wrong, between them partial credit
    feedback: str = ""


@dataclass
class BankQuestion:
    """One question of a bank, in our terms. ``kind`` is a ``quizzes.kinds`` name; answers are in
    the file's order (for ordering questions: the right order)."""

    line: int
    kind: str
    text: str
    title: str = ""
    general_feedback: str = ""
    answers: list[BankAnswer] = field(default_factory=list)
    # True/false only.
    correct_answer: bool | None = None
    feedback_true: str = ""
    feedback_false: str = ""
    # Multiple response only: "per_option" (Moodle's weights) or "all_or_nothing".
    partial_credit: str = ""


@dataclass
class Unsupported:
    """A question the file holds but this platform cannot ask; reported by line, never imported."""

    line: int
    moodle_type: str
    title: str = ""

    @property
    def message(self):
        named = f" “{self.title}”" if self.title else ""
        return (
            f"question{named}: {self.moodle_type} is not a question type this platform has (it "
            "imports multiple choice, true/false, multiple answers and ordering)"
        )


def weight_parse(raw, *, line):
    try:
        weight = Decimal(raw.strip())
    except InvalidOperation as error:
        raise BankFileError([(line, f"“{raw}” is not a percentage weight")]) from error
    if not -FULL_MARK <= weight <= FULL_MARK:
        raise BankFileError([(line, f"the weight {raw}% is outside -100% to 100%")])
    return weight


def choice_kind(answers, *, single, line, title=""):
    """Single choice or multiple response from the answers' weights (Moodle's multichoice), or an
    ``Unsupported`` entry where the weights say something our kinds cannot score.

    ``single`` is Moodle XML's <single> flag; in GIFT, whether any answer is marked "="."""
    keyed = [answer for answer in answers if answer.weight > 0]
    if len(answers) < 2:
        raise BankFileError([(line, "a multiple-choice question needs at least two answers")])
    if not keyed:
        raise BankFileError([(line, "no answer gets any credit, so none is right")])
    if single:
        if len(keyed) == 1 and keyed[0].weight == FULL_MARK:
            return SINGLE_CHOICE
        # Moodle's partial credit for a near miss: our single choice has one right answer.
        return Unsupported(
            line, "one-answer multiple choice giving credit to several answers", title
        )
    return MULTIPLE_RESPONSE


def multiple_response_weights(correct_count, wrong_count):
    """Moodle weights that score as our per-option rule does: each right pick earns its share of
    the mark and each wrong pick takes one share away."""
    share = moodle_grade(FULL_MARK / correct_count)
    return share, f"-{share}" if wrong_count and share != "0" else "0"


def moodle_grade(percent):
    """The nearest grade Moodle accepts, as Moodle writes it."""
    return min(MOODLE_GRADES, key=lambda grade: abs(Decimal(grade) - Decimal(percent)))
