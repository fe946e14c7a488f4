"""The steps an L&D author puts into a module. Each block renders with a template in templates/blocks/."""

import copy

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.text import slugify

from wagtail import blocks
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from .panels import CLAUSE_CHOOSER_MODULE_ELEMENT_ID


class ClauseChooserBlock(SnippetChooserBlock):
    """A step's clause, chosen with the module as context (``modules.choosers``). Other screens
    give their own context as ``linked_fields`` (Wagtail's: parameter -> element selector)."""

    def __init__(self, linked_fields=None, **kwargs):
        kwargs.setdefault("icon", "openquote")
        self.linked_fields = linked_fields or {"module": f"#{CLAUSE_CHOOSER_MODULE_ELEMENT_ID}"}
        super().__init__("modules.PolicyClause", **kwargs)

    @cached_property
    def widget(self):
        # The chooser's views need the models, which import these blocks.
        from .choosers import PolicyClauseChooser  # noqa: PLC0415

        return PolicyClauseChooser(
            self.target_model,
            icon=self.meta.icon,
            linked_fields=self.linked_fields,
        )

    def bulk_to_python(self, values):
        """The cited clause versions, each with its document, from the shared cache
        (``modules.selectors.policy_clauses_cached``): a step's citations cost no query."""
        # The selectors import the models, which import these blocks.
        from .selectors import policy_clauses_cached  # noqa: PLC0415

        clauses = policy_clauses_cached(ids=values)
        seen = set()
        result = []
        for value in values:
            clause = clauses.get(int(value)) if value is not None else None
            if clause is not None and clause.pk in seen:
                clause = copy.copy(clause)  # as Wagtail's: one instance per place it is cited
            result.append(clause)
            seen.add(getattr(clause, "pk", None))
        return result

    def deconstruct(self):
        # Stored and migrated exactly as a snippet chooser of clauses: only the widget differs.
        _, _, kwargs = super().deconstruct()
        kwargs.pop("linked_fields", None)
        return "wagtail.snippets.blocks.SnippetChooserBlock", ("modules.PolicyClause",), kwargs


class NarrativeBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=200)
    body = blocks.RichTextBlock(features=["bold", "italic", "ul", "ol", "link"])
    image = ImageChooserBlock(required=False)
    image_alt = blocks.CharBlock(
        required=False, help_text="Describe the image for people who cannot see it."
    )

    class Meta:
        icon = "doc-full"
        template = "blocks/narrative_block.html"

    def clean(self, value):
        value = super().clean(value)
        if value.get("image") and not value.get("image_alt"):
            raise StructBlockValidationError(
                {"image_alt": ValidationError("An image needs alternative text.")}
            )
        return value


class PolicyExtractBlock(blocks.StructBlock):
    clause = ClauseChooserBlock()
    commentary = blocks.TextBlock(required=False, help_text="Why this clause matters here.")

    class Meta:
        icon = "openquote"
        template = "blocks/policy_extract_block.html"


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=500, help_text="What the member of staff does.")
    consequence = blocks.TextBlock(help_text="What happens next.")
    feedback = blocks.TextBlock(help_text="Why this is right or wrong, in plain words.")
    clause = ClauseChooserBlock(
        required=False,
        help_text="Only if this choice rests on another clause than the decision's.",
    )
    is_correct = blocks.BooleanBlock(required=False, label="Policy-correct choice")
    branch_to = blocks.CharBlock(
        required=False,
        max_length=50,
        help_text="Optional: the key of a later decision this choice leads to.",
    )

    class Meta:
        icon = "radio-full"


def two_blank_choices():
    """A new decision's choices: the two it needs at least (Wagtail would start with one, and
    greet the author with a 'minimum number of items' error before they typed anything)."""
    choice = ChoiceBlock()
    return [choice.get_default(), choice.get_default()]


class DecisionBlock(blocks.StructBlock):
    key = blocks.CharBlock(
        required=False,
        max_length=50,
        help_text="Made from the heading when left empty, and kept from then on; a choice "
        "branches to a decision by naming its key.",
    )
    heading = blocks.CharBlock(max_length=200)
    situation = blocks.RichTextBlock(features=["bold", "italic", "ul"])
    choices = blocks.ListBlock(ChoiceBlock(), min_num=2, max_num=5, default=two_blank_choices)
    # Most decisions rest on one clause: chosen once here rather than once per choice.
    clause = ClauseChooserBlock(
        required=False,
        help_text="The clause every choice rests on, unless a choice names its own.",
    )

    class Meta:
        icon = "help"
        template = "blocks/decision_block.html"

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["is_correct"])
        if correct != 1:
            raise StructBlockValidationError(
                {
                    "choices": ValidationError(
                        "Mark exactly one choice as the policy-correct choice."
                    )
                }
            )
        uncited = [
            str(number)
            for number, choice in enumerate(value["choices"], start=1)
            if choice["clause"] is None
        ]
        if uncited and value["clause"] is None:
            which = (
                f"choice {uncited[0]} cites"
                if len(uncited) == 1
                else f"choices {', '.join(uncited[:-1])} and {uncited[-1]} cite"
            )
            raise StructBlockValidationError(
                {
                    "clause": ValidationError(
                        "Choose the clause the decision rests on, or one for each choice: "
                        f"{which} none."
                    )
                }
            )
        return cited_by_every_choice(value)

    def get_form_state(self, value):
        # Shown as written: a choice citing the decision's clause names none of its own, so that
        # changing the decision's clause changes theirs.
        state = super().get_form_state(value)
        shared = (state.get("clause") or {}).get("id")
        for item in state["choices"]:
            if shared is not None and (item["value"]["clause"] or {}).get("id") == shared:
                item["value"]["clause"] = None
        return state


def cited_by_every_choice(value):
    """Each choice stores the clause it cites (the decision's, unless it names its own), so that
    what reads a choice never looks further; the decision keeps its clause only while a choice
    cites it."""
    for choice in value["choices"]:
        choice["clause"] = choice["clause"] or value["clause"]
    if value["clause"] is not None and all(
        choice["clause"] != value["clause"] for choice in value["choices"]
    ):
        value["clause"] = None
    return value


class ReflectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=200)
    prompt = blocks.TextBlock()

    class Meta:
        icon = "pick"
        template = "blocks/reflection_block.html"


class KeyRuleBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=500)
    clause = ClauseChooserBlock()


class KeyRulesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=200, default="Key rules")
    rules = blocks.ListBlock(KeyRuleBlock(), min_num=1)

    class Meta:
        icon = "list-ul"
        template = "blocks/key_rules_block.html"


class ModuleStepBlock(blocks.StreamBlock):
    """A module's steps. At least one: the field is required (not ``min_num``, whose message the
    editor shows in red on a new page before anything is typed)."""

    narrative = NarrativeBlock()
    policy_extract = PolicyExtractBlock()
    decision = DecisionBlock()
    reflection = ReflectionBlock()
    key_rules = KeyRulesBlock()

    def clean(self, value):
        value = super().clean(value)
        decision_keys_fill(value)
        errors = decision_key_errors(value)
        if errors:
            raise StreamBlockValidationError(block_errors=errors)
        return value


def decision_keys_fill(steps):
    """Give each decision without a key one made from its heading, unique in the module. Stored
    with the page, a key stays as it is on every later save, so branches to it keep working."""
    decisions = [step.value for step in steps if step.block_type == "decision"]
    taken = {decision["key"] for decision in decisions if decision["key"]}
    for decision in decisions:
        if decision["key"]:
            continue
        stem = slugify(decision["heading"])[:40].strip("-") or "decision"
        key, number = stem, 1
        while key in taken:
            number += 1
            key = f"{stem}-{number}"
        decision["key"] = key
        taken.add(key)


def decision_key_errors(steps):
    """Errors in decision keys and branches, by step index: keys must be unique, and a choice may
    only branch forward to a decision that exists (staff work through steps in order, so a branch
    back or to nowhere would trap them or skip the rest of the module)."""
    decisions = [
        (index, step.value) for index, step in enumerate(steps) if step.block_type == "decision"
    ]
    first_index_of_key = {}
    errors = {}
    for index, value in decisions:
        if value["key"] in first_index_of_key:
            errors[index] = StructBlockValidationError(
                {"key": ValidationError(f"Another decision already uses the key “{value['key']}”.")}
            )
        else:
            first_index_of_key[value["key"]] = index
    for index, value in decisions:
        choice_errors = {}
        for choice_index, choice in enumerate(value["choices"]):
            target = choice["branch_to"]
            if not target:
                continue
            if target not in first_index_of_key:
                message = f"There is no decision with the key “{target}” in this module."
            elif first_index_of_key[target] <= index:
                message = f"A choice can only branch to a later decision, and “{target}” is not after this one."
            else:
                continue
            choice_errors[choice_index] = StructBlockValidationError(
                {"branch_to": ValidationError(message)}
            )
        if choice_errors and index not in errors:
            errors[index] = StructBlockValidationError(
                {"choices": ListBlockValidationError(block_errors=choice_errors)}
            )
    return errors
