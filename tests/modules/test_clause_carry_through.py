"""A clause change carries through: a published clause is never edited in place; a correction
moves every citation and recertifies nobody; a change of meaning recertifies, lists what cites
the old version for moving on in bulk, and keeps questions citing it out of new draws; a
certificate lists the clause versions it rests on and is valid only on current ones; raising a
document's version carries each clause through the same way."""

import io
import json

import pytest
from pypdf import PdfReader

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from certificates.models import Certificate
from lms import audit, roles
from lms.models import AuditEvent
from lms.pdf_text import WORD_JOINER
from modules.models import ClauseChange, ModulePage, PolicyClause, PolicyDocument
from modules.services import (
    PolicyError,
    clause_citations_move,
    policy_clause_edit_refusal,
    policy_clause_revise,
    policy_document_version_raise,
)
from quizzes.models import Option, TrueFalseQuestion
from quizzes.selectors import quiz_bank, quiz_draw_problems, quiz_superseded_citation_warnings
from quizzes.services import AttemptError, attempt_submit
from tests.factories import (
    PersonFactory,
    PolicyClauseFactory,
    attempt_begin,
    single_choice_create,
)

pytestmark = pytest.mark.django_db


def _right_answers(attempt):
    return {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])]
        for q in attempt.questions
    }


def _pass(person, quiz, capture):
    attempt = attempt_begin(person=person, quiz=quiz)
    with capture(execute=True):
        attempt_submit(attempt=attempt, answers=_right_answers(attempt))
    return Certificate.objects.get(attempt=attempt)


def _step_clause_ids(page, *, latest=False):
    """The clauses cited by the module's decision: as published, or in its latest draft."""
    page = ModulePage.objects.get(pk=page.pk)
    if latest:
        page = page.get_latest_revision_as_object()
    choices = page.steps.raw_data[1]["value"]["choices"]
    return {str((choice.get("value") or choice)["clause"]) for choice in choices}


def _approve(new_clause):
    """An L&D reviewer, not the author, approves the proposed version (four eyes)."""
    reviewer = get_user_model().objects.filter(username="rosa.reviewer").first()
    if reviewer is None:
        reviewer = PersonFactory(user__username="rosa.reviewer").user
        reviewer.groups.add(Group.objects.get(name=roles.REVIEWERS))
    task_state = new_clause.current_workflow_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve")
    new_clause.refresh_from_db()
    return new_clause


def _revise(clause, author, change):
    """An author proposes a new version; it takes effect when a reviewer approves it."""
    proposed = policy_clause_revise(
        clause=clause,
        heading=clause.heading,
        summary="Now also needs a manager's agreement.",
        user=author.user,
        change=change,
    )
    assert not proposed.live and proposed.current_workflow_task_state is not None
    return _approve(proposed)


# Editing in place --------------------------------------------------------------------------


def test_a_published_clause_cannot_be_edited_in_the_admin(people, client_for, clause):
    client = client_for(people["author"])
    edit_url = reverse("wagtailsnippets_modules_policyclause:edit", args=[clause.pk])
    revisions_before = clause.revisions.count()

    page = client.get(edit_url)
    assert "cannot be edited in place" in page.content.decode()

    response = client.post(
        edit_url,
        {
            "document": clause.document_id,
            "reference": clause.reference,
            "heading": "Quietly changed",
            "summary": "A different rule.",
            "action-publish": "publish",
        },
        follow=True,
    )

    clause.refresh_from_db()
    assert clause.heading == "Contacting children on WhatsApp"
    assert clause.revisions.count() == revisions_before
    assert "cannot be edited in place" in response.content.decode()
    assert PolicyClause.objects.filter(reference=clause.reference).count() == 1


def test_reverting_a_published_clause_to_an_old_revision_is_refused_too(people, client_for, clause):
    new = _revise(clause, people["author"], ClauseChange.CHANGE)
    revision = new.latest_revision
    response = client_for(people["author"]).post(
        reverse(
            "wagtailsnippets_modules_policyclause:revisions_revert", args=[new.pk, revision.pk]
        ),
        {
            "document": new.document_id,
            "reference": new.reference,
            "heading": "Reverted and changed",
            "summary": "Another rule.",
            "action-publish": "publish",
        },
    )
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.heading == clause.heading and new.revisions.count() == 1


def test_a_draft_clause_never_published_can_still_be_edited(people, client_for):
    draft = PolicyClauseFactory(reference="5.1", live=False)
    assert policy_clause_edit_refusal(clause=draft) == ""
    response = client_for(people["author"]).post(
        reverse("wagtailsnippets_modules_policyclause:edit", args=[draft.pk]),
        {
            "document": draft.document_id,
            "reference": "5.1",
            "heading": "Better heading",
            "summary": draft.summary,
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.latest_revision.content["heading"] == "Better heading"


def test_a_published_documents_version_cannot_be_raised_by_editing_it(people, client_for, clause):
    document = clause.document
    response = client_for(people["author"]).post(
        reverse("wagtailsnippets_modules_policydocument:edit", args=[document.pk]),
        {
            "title": document.title,
            "organisation": document.organisation,
            "version": "9.0",
            "action-publish": "publish",
        },
        follow=True,
    )
    document.refresh_from_db()
    assert document.version == "2.1"
    assert "Raise the version" in response.content.decode()


# Corrections --------------------------------------------------------------------------------


def test_a_correction_moves_every_citation_and_recertifies_nobody(
    people, quiz, module, clause, django_capture_on_commit_callbacks
):
    certificate = _pass(people["staff"], quiz, django_capture_on_commit_callbacks)

    corrected = _revise(clause, people["author"], ClauseChange.CORRECTION)

    assert corrected.change == ClauseChange.CORRECTION and corrected.version == 2
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert not Option.objects.filter(clause=clause).exists()
    assert not TrueFalseQuestion.objects.filter(clause=clause).exists()
    assert Option.objects.filter(clause=corrected).exists()
    assert _step_clause_ids(module) == {str(corrected.pk)}
    # The module was published again with the new citation; learners already in it keep theirs.
    assert ModulePage.objects.get(pk=module.pk).live_revision_id != module.live_revision_id
    assert AuditEvent.objects.filter(
        action=audit.CLAUSE_CORRECTED, target_id=str(corrected.pk)
    ).exists()
    assert AuditEvent.objects.filter(action=audit.CLAUSE_CITATIONS_MOVED).exists()
    assert not AuditEvent.objects.filter(action=audit.CLAUSE_CHANGED).exists()
    assert all(not entry.cites_superseded for entry in quiz_bank(quiz=quiz))


def test_a_revision_must_say_what_kind_of_change_it_is(people, clause):
    with pytest.raises(PolicyError, match="correction or a change"):
        _revise(clause, people["author"], "tweak")
    assert PolicyClause.objects.filter(reference=clause.reference).count() == 1


def test_the_admin_publishes_a_correction_without_recertifying(
    people, client_for, quiz, clause, django_capture_on_commit_callbacks
):
    certificate = _pass(people["staff"], quiz, django_capture_on_commit_callbacks)
    client = client_for(people["author"])
    url = reverse("wagtailsnippets_modules_policyclause:revise", args=[clause.pk])

    missing_kind = client.post(url, {"heading": "H", "summary": "S"})
    assert missing_kind.status_code == 200
    assert PolicyClause.objects.filter(reference=clause.reference).count() == 1

    response = client.post(
        url,
        {"change": "correction", "heading": clause.heading, "summary": "Typo fixed."},
        follow=True,
    )
    # An author proposes; nothing changes until a reviewer approves.
    assert "submitted for review" in response.content.decode()
    proposed = PolicyClause.objects.get(reference=clause.reference, version=2)
    assert not proposed.live and proposed.change == ClauseChange.CORRECTION
    assert Option.objects.filter(clause=clause).exists()
    assert all(not entry.cites_superseded for entry in quiz_bank(quiz=quiz))

    _approve(proposed)
    assert proposed.live
    assert not Option.objects.filter(clause=clause).exists()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_an_administrator_publishes_a_new_version_at_once(
    admin_client, quiz, clause, django_capture_on_commit_callbacks
):
    url = reverse("wagtailsnippets_modules_policyclause:revise", args=[clause.pk])
    assert "Publish version 2" in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {"change": "correction", "heading": clause.heading, "summary": "Typo fixed."},
        follow=True,
    )
    assert "published as a correction" in response.content.decode()
    assert PolicyClause.objects.get(reference=clause.reference, version=2).live


def test_a_proposed_change_recertifies_nobody_until_approved(
    people, quiz, clause, django_capture_on_commit_callbacks
):
    certificate = _pass(people["staff"], quiz, django_capture_on_commit_callbacks)
    proposed = policy_clause_revise(
        clause=clause,
        heading=clause.heading,
        summary="Stricter.",
        user=people["author"].user,
        change=ClauseChange.CHANGE,
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert not AuditEvent.objects.filter(action=audit.CLAUSE_CHANGED).exists()
    # The author cannot approve their own proposal.
    task_state = proposed.current_workflow_task_state
    with pytest.raises(PermissionDenied):
        task_state.task.specific.on_action(task_state, people["author"].user, "approve")
    # Nor propose a second version beside the one waiting.
    with pytest.raises(PolicyError, match="waiting for review"):
        policy_clause_revise(
            clause=clause,
            heading="x",
            summary="y",
            user=people["author"].user,
            change=ClauseChange.CHANGE,
        )

    _approve(proposed)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.RECERTIFICATION_DUE
    assert AuditEvent.objects.filter(action=audit.CLAUSE_CHANGED).exists()


# Changes of meaning ---------------------------------------------------------------------------


def test_a_change_keeps_questions_citing_the_old_version_out_of_new_draws(
    people, module, quiz, clause
):
    other = PolicyClauseFactory(reference="3.1", document=clause.document)
    kept = single_choice_create(quiz=quiz, clause=other, text="Unaffected question?", sort_order=5)

    _revise(clause, people["author"], ClauseChange.CHANGE)

    stale = {entry.id for entry in quiz_bank(quiz=quiz) if entry.cites_superseded}
    assert stale == set(quiz.questions.exclude(pk=kept.pk).values_list("pk", flat=True))
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    assert [question["id"] for question in attempt.questions] == [kept.pk]
    warnings = " ".join(quiz_superseded_citation_warnings(quiz=quiz))
    assert "3 of the 4 questions" in warnings and "left out of new attempts" in warnings


def test_a_quiz_left_with_nothing_to_draw_says_why_and_cannot_start(people, quiz, clause):
    quiz.questions_per_attempt = 2
    quiz.save()
    _revise(clause, people["author"], ClauseChange.CHANGE)

    problems = " ".join(quiz_draw_problems(quiz=quiz))
    assert "left out of draws until moved on" in problems
    assert "Nobody can start this quiz" in " ".join(quiz_superseded_citation_warnings(quiz=quiz))
    with pytest.raises(AttemptError, match="cannot be started"):
        attempt_begin(person=people["staff"], quiz=quiz)


def test_the_quiz_edit_page_warns_about_superseded_citations(people, client_for, quiz, clause):
    _revise(clause, people["author"], ClauseChange.CHANGE)
    page = client_for(people["author"]).get(
        reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
    )
    assert "cite a replaced clause version" in page.content.decode()


def test_moving_citations_in_bulk_from_the_admin(people, client_for, quiz, module, clause):
    new = _revise(clause, people["author"], ClauseChange.CHANGE)
    client = client_for(people["author"])
    url = reverse("wagtailsnippets_modules_policyclause:citations", args=[clause.pk])
    listing = client.get(url).content.decode()
    assert "Move the ticked citations to version 2" in listing

    first, second, true_false = quiz.questions.order_by("sort_order")
    response = client.post(
        url,
        {"to": new.pk, "pages": [module.pk], "questions": [first.pk, true_false.pk]},
        follow=True,
    )

    assert "Moved 1 module(s) and 2 question(s) to version 2" in response.content.decode()
    # The author's change to the module is a draft for review (four eyes); learners see the
    # published module until a reviewer approves it.
    assert _step_clause_ids(module, latest=True) == {str(new.pk)}
    assert _step_clause_ids(module) == {str(clause.pk)}
    assert set(Option.objects.filter(question=first).values_list("clause", flat=True)) == {new.pk}
    assert TrueFalseQuestion.objects.get(pk=true_false.pk).clause_id == new.pk
    # The one left unticked still cites the old version, and is still out of draws.
    assert set(Option.objects.filter(question=second).values_list("clause", flat=True)) == {
        clause.pk
    }
    assert [entry.id for entry in quiz_bank(quiz=quiz) if entry.cites_superseded] == [second.pk]
    event = AuditEvent.objects.get(action=audit.CLAUSE_CITATIONS_MOVED)
    assert event.actor_id == people["author"].user.pk and event.data["questions"] == 2


def test_citations_cannot_move_to_another_clause(people, client_for, quiz, clause):
    _revise(clause, people["author"], ClauseChange.CHANGE)
    unrelated = PolicyClauseFactory(reference="8.8")
    response = client_for(people["author"]).post(
        reverse("wagtailsnippets_modules_policyclause:citations", args=[clause.pk]),
        {"to": unrelated.pk, "questions": list(quiz.questions.values_list("pk", flat=True))},
        follow=True,
    )
    assert "can only move to a newer version of that clause" in response.content.decode()
    assert not Option.objects.filter(clause=unrelated).exists()
    assert not AuditEvent.objects.filter(action=audit.CLAUSE_CITATIONS_MOVED).exists()


def test_citations_cannot_move_backwards_or_to_a_replaced_version(people, quiz, clause):
    second = _revise(clause, people["author"], ClauseChange.CHANGE)
    third = _revise(second, people["author"], ClauseChange.CHANGE)
    with pytest.raises(PolicyError, match="newer version"):
        clause_citations_move(old_clause=third, new_clause=clause, user=people["author"].user)
    with pytest.raises(PolicyError, match="has itself been replaced"):
        clause_citations_move(old_clause=clause, new_clause=second, user=people["author"].user)
    with pytest.raises(PolicyError, match="Tick the module steps and questions"):
        clause_citations_move(
            old_clause=clause,
            new_clause=third,
            user=people["author"].user,
            page_ids=[],
            question_ids=[],
        )
    assert Option.objects.filter(clause=clause).count() == Option.objects.count()


def test_moving_citations_needs_permission_to_change_clauses(people, client_for, quiz, clause):
    new = _revise(clause, people["author"], ClauseChange.CHANGE)
    response = client_for(people["manager"]).post(
        reverse("wagtailsnippets_modules_policyclause:citations", args=[clause.pk]),
        {"to": new.pk, "questions": list(quiz.questions.values_list("pk", flat=True))},
    )
    assert response.status_code in (302, 403)
    assert not Option.objects.filter(clause=new).exists()


# Certificates rest on clause versions --------------------------------------------------------


def test_a_certificate_lists_the_clause_versions_it_rests_on(
    people, quiz, clause, client, django_capture_on_commit_callbacks
):
    certificate = _pass(people["staff"], quiz, django_capture_on_commit_callbacks)
    assert [(c["reference"], c["version"]) for c in certificate.scope["clauses"]] == [("2.19", 1)]
    with certificate.pdf.open("rb") as stored:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(stored.read())).pages)
    text = text.replace(WORD_JOINER, "")  # joins "2." to "19" on the PDF, and has no glyph
    assert "Assessed against" in text and "clause 2.19 (clause version 1)" in text
    verify = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    assert "Clause versions" in verify and "clause 2.19, version 1" in verify


def test_a_pass_resting_on_a_changed_clause_cannot_make_recertification_look_done(
    people, quiz, clause, django_capture_on_commit_callbacks
):
    staff = people["staff"]
    first = _pass(staff, quiz, django_capture_on_commit_callbacks)
    # An attempt drawn before the change, submitted after it.
    attempt = attempt_begin(person=staff, quiz=quiz)
    new = _revise(clause, people["author"], ClauseChange.CHANGE)
    first.refresh_from_db()
    assert first.status == Certificate.Status.RECERTIFICATION_DUE

    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, answers=_right_answers(attempt))

    late = Certificate.objects.get(attempt=attempt)
    assert late.status == Certificate.Status.RECERTIFICATION_DUE
    assert "meaning has since changed" in late.events.last().reason
    assert not Certificate.objects.filter(
        person=staff, kind=Certificate.Kind.MODULE, status=Certificate.Status.VALID
    ).exists()

    # Moved on to the current version, a new pass recertifies.
    clause_citations_move(old_clause=clause, new_clause=new, user=people["author"].user)
    current = _pass(staff, quiz, django_capture_on_commit_callbacks)
    assert current.status == Certificate.Status.VALID
    assert {c["id"] for c in current.scope["clauses"]} == {new.pk}


# Raising a document's version ------------------------------------------------------------------


def test_raising_a_documents_version_carries_each_clause_through(
    people, admin_user, quiz, module, clause, django_capture_on_commit_callbacks
):
    other = PolicyClauseFactory(reference="3.1", document=clause.document)
    single_choice_create(quiz=quiz, clause=other, text="About 3.1?", sort_order=5)
    certificate = _pass(people["staff"], quiz, django_capture_on_commit_callbacks)

    new_clauses = policy_document_version_raise(
        document=clause.document,
        version="3.0",
        clauses={"3.1": {"change": ClauseChange.CHANGE, "summary": "A new rule."}},
        user=admin_user,  # an administrator's act: it publishes every clause at once
    )

    by_reference = {c.reference: c for c in new_clauses}
    assert by_reference["2.19"].change == ClauseChange.CORRECTION
    assert by_reference["3.1"].change == ClauseChange.CHANGE
    assert by_reference["3.1"].summary == "A new rule."
    assert {c.edition for c in new_clauses} == {"3.0"}
    clause.refresh_from_db()
    assert clause.edition == "2.1"  # the old version keeps naming its edition
    assert PolicyDocument.objects.get(pk=clause.document_id).version == "3.0"
    # 2.19 was corrected: its citations moved; 3.1 changed: its certificate needs recertifying.
    assert not Option.objects.filter(clause=clause).exists()
    assert Option.objects.filter(clause=other).exists()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.RECERTIFICATION_DUE
    event = AuditEvent.objects.get(action=audit.POLICY_VERSION_RAISED)
    assert event.data == {"from": "2.1", "to": "3.0", "changed": ["3.1"]}


def test_raising_a_version_refuses_bad_input_and_changes_nothing(admin_user, clause):
    document = clause.document
    for version, clauses, message in [
        ("", {}, "Enter the new version"),
        ("2.1", {}, "already"),
        ("3.0", {"7.7": {"change": ClauseChange.CHANGE}}, "no clause 7.7"),
        ("3.0", {"2.19": {"change": "tweak"}}, "correction or a change"),
    ]:
        with pytest.raises(PolicyError, match=message):
            policy_document_version_raise(
                document=document, version=version, clauses=clauses, user=admin_user
            )
    document.refresh_from_db()
    assert document.version == "2.1"
    assert PolicyClause.objects.filter(document=document).count() == 1


def test_raising_a_version_in_the_admin(admin_client, clause):
    client = admin_client
    edit = client.get(
        reverse("wagtailsnippets_modules_policydocument:edit", args=[clause.document_id])
    )
    url = reverse("wagtailsnippets_modules_policydocument:raise_version", args=[clause.document_id])
    assert url in edit.content.decode()
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "version": "3.0",
            f"clause_{clause.pk}_change": "change",
            f"clause_{clause.pk}_heading": clause.heading,
            f"clause_{clause.pk}_summary": "Changed rule.",
        },
        follow=True,
    )

    assert "is now version 3.0" in response.content.decode()
    new = PolicyClause.objects.get(reference="2.19", version=2)
    assert new.change == ClauseChange.CHANGE and new.summary == "Changed rule."


@pytest.mark.parametrize("role", ["manager", "author"])
def test_raising_a_version_needs_permission_to_publish(role, people, client_for, clause):
    client = client_for(people[role])
    url = reverse("wagtailsnippets_modules_policydocument:raise_version", args=[clause.document_id])
    response = client.post(url, {"version": "3.0"})
    assert response.status_code in (302, 403)
    if role == "author":
        edit = client.get(
            reverse("wagtailsnippets_modules_policydocument:edit", args=[clause.document_id])
        )
        assert url not in edit.content.decode()
    assert PolicyDocument.objects.get(pk=clause.document_id).version == "2.1"


def test_steps_citing_a_clause_anywhere_are_moved(people, wagtail_root, clause):
    from tests.factories import default_steps, module_page_create

    steps = default_steps(clause=clause)
    steps.insert(0, {"type": "policy_extract", "value": {"clause": clause.pk, "commentary": ""}})
    page = module_page_create(clause=clause, steps=steps, slug="extract")
    new = _revise(clause, people["author"], ClauseChange.CHANGE)
    clause_citations_move(old_clause=clause, new_clause=new, user=people["author"].user)
    raw = json.dumps(
        list(ModulePage.objects.get(pk=page.pk).get_latest_revision_as_object().steps.raw_data)
    )
    assert f'"clause": {clause.pk}' not in raw and f'"clause": {new.pk}' in raw


def test_a_change_after_a_correction_recertifies_certificates_resting_on_the_corrected_version(
    people, quiz, clause, django_capture_on_commit_callbacks
):
    certificate = _pass(people["staff"], quiz, django_capture_on_commit_callbacks)
    corrected = _revise(clause, people["author"], ClauseChange.CORRECTION)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID

    _revise(corrected, people["author"], ClauseChange.CHANGE)

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.RECERTIFICATION_DUE
