"""Editing a quiz's questions on the quiz's own screen: each kind is a block of a stream, so an
author adds, reorders, edits and removes questions of every type in one place, and the questions
stay polymorphic rows with their own revisions and review (``quizzes.services.quiz_questions_save``).

A stream item's id ties it to its question (``question-<pk>``) and an option's to its option
(``option-<pk>``), so that reordering or editing keeps both; a new item's id is the editor's uuid.
"""

from django import forms
from django.core.exceptions import ValidationError

from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from modules.blocks import ClauseChooserBlock

QUESTION_ID_PREFIX = "question-"
# The element on the quiz's edit screen whose value the clause chooser sends as ``quiz``
# (rendered by quizzes.panels.QuizChecksPanel; read by modules.choosers).
CLAUSE_CHOOSER_QUIZ_ELEMENT_ID = "clause-chooser-quiz"
OPTION_ID_PREFIX = "option-"
COMMON_FIELDS = ("text", "topic", "critical", "explanation")


def question_item_id(question):
    return f"{QUESTION_ID_PREFIX}{question.pk}"


def pk_from_item_id(item_id, prefix):
    """The pk an item id names, or None for an item the editor added (a uuid)."""
    if not item_id or not item_id.startswith(prefix):
        return None
    number = item_id[len(prefix) :]
    return int(number) if number.isdigit() else None


def clause_block(*, required=True, help_text="The policy clause that makes this right or wrong."):
    # The chooser offers the clauses this quiz and its module already cite first: the quiz once
    # saved, else the module chosen on the same screen (quizzes.panels, modules.choosers).
    return ClauseChooserBlock(
        linked_fields={"quiz": f"#{CLAUSE_CHOOSER_QUIZ_ELEMENT_ID}", "module": "#id_module"},
        required=required,
        help_text=help_text,
    )


def common_blocks():
    return [
        ("text", blocks.TextBlock(label="Question", rows=2)),
        (
            "topic",
            blocks.CharBlock(
                required=False,
                max_length=100,
                help_text="Optional: attempts can draw a set number from each topic.",
            ),
        ),
        (
            "critical",
            blocks.BooleanBlock(
                required=False, help_text="A wrong answer fails the attempt whatever the total."
            ),
        ),
        (
            "explanation",
            blocks.TextBlock(
                required=False,
                help_text="Shown with the right answers when the quiz's review options allow.",
            ),
        ),
    ]


def option_block(*, text_label, correct_label):
    fields = [("text", blocks.CharBlock(max_length=500, label=text_label))]
    if correct_label:
        fields.append(("is_correct", blocks.BooleanBlock(required=False, label=correct_label)))
    fields += [
        (
            "feedback",
            blocks.TextBlock(help_text="Why this is right or wrong, in plain words.", rows=2),
        ),
        (
            "clause",
            clause_block(
                required=False,
                help_text="Only if this option rests on another clause than the question's.",
            ),
        ),
    ]
    return blocks.StructBlock(fields)


def options_block(*, label, text_label, correct_label, max_num):
    """A list of options that starts with the two every question needs (an empty one-item list
    would greet the author with a 'minimum number of items' error before they type)."""
    child = option_block(text_label=text_label, correct_label=correct_label)
    return blocks.ListBlock(
        child,
        min_num=2,
        max_num=max_num,
        label=label,
        default=lambda: [child.get_default(), child.get_default()],
    )


class TrueFalseAnswerBlock(blocks.FieldBlock):
    """True or False, chosen: no default, so that nobody saves False by leaving a box unticked."""

    def __init__(self, **kwargs):
        self.field = forms.ChoiceField(
            choices=[("true", "True"), ("false", "False")],
            widget=forms.RadioSelect,
            label="The statement is",
        )
        super().__init__(**kwargs)


class QuestionBlock(blocks.StructBlock):
    """One question of a kind, checked by the kind's own rule (the admin form's and the content
    loader's rule too) before anything is saved."""

    def __init__(self, local_blocks=None, *, kind=None, **kwargs):
        self.kind = kind
        super().__init__(local_blocks, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        problem = self.kind.editor_problem(value)
        if problem:
            raise StructBlockValidationError(block_errors={"options": ValidationError(problem)})
        return self.kind.editor_normalise(value)

    def deconstruct(self):
        # Never in a migration (the editor is a form field, not a model field); kept for Wagtail's
        # block comparison, which deconstructs blocks.
        path, args, kwargs = super().deconstruct()
        return path, args, {**kwargs, "kind": self.kind}


class QuestionsBlock(blocks.StreamBlock):
    """Every question of a quiz, one block per kind, in the order the bank lists them."""

    def __init__(self, kinds, **kwargs):
        super().__init__(
            [(kind.name, kind.editor_block()) for kind in kinds],
            **kwargs,
        )


class QuestionsWidget(blocks.BlockWidget):
    """None when the form posted no editor at all (a settings-only post, a script): that leaves
    the questions alone rather than deleting every one."""

    def value_from_datadict(self, data, files, name):
        if f"{name}-count" not in data:
            return None
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-count" not in data


class QuestionsField(blocks.BlockField):
    """Always fully validated, even when the quiz is saved as a draft: a question is a row of its
    own, and a half-written one must not be saved. None: the questions were not edited."""

    def __init__(self, block, **kwargs):
        super().__init__(block, widget=QuestionsWidget(block), **kwargs)

    def clean(self, value):
        return None if value is None else self.block.clean(value)

    def has_changed(self, initial_value, data_value):
        return data_value is not None and super().has_changed(initial_value, data_value)


def editor_raw(kind, question):
    """The stream item (type, value, id) that edits ``question`` (a draft or the live row)."""
    value = {name: getattr(question, name) for name in COMMON_FIELDS}
    value.update(kind.editor_value(question))
    return {"type": kind.name, "value": value, "id": question_item_id(question)}


def options_raw(options, *, with_correct=True):
    """The options' items, and the clause they all cite (None if they differ): a shared clause is
    the question's, and an option names its own only where it differs."""
    items = [
        {
            "type": "item",
            "id": f"{OPTION_ID_PREFIX}{option.pk}" if option.pk else None,
            "value": {
                "text": option.text,
                **({"is_correct": option.is_correct} if with_correct else {}),
                "feedback": option.feedback,
                "clause": option.clause_id,
            },
        }
        for option in sorted(options, key=lambda option: (option.sort_order or 0, option.pk or 0))
    ]
    cited = {item["value"]["clause"] for item in items}
    shared = cited.pop() if len(cited) == 1 else None
    if shared is not None:
        for item in items:
            item["value"]["clause"] = None
    return items, shared


def item_prep(block, value):
    """A block value as comparable JSON, without the ids the editor gives new list items."""

    def strip(data):
        if isinstance(data, list):
            return [strip(item) for item in data]
        if isinstance(data, dict):
            if set(data) >= {"type", "value", "id"}:
                return {"type": data["type"], "value": strip(data["value"])}
            return {key: strip(item) for key, item in data.items()}
        return data

    return strip(block.get_prep_value(value))
