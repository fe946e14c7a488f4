import json

import pytest

from django.urls import reverse

from modules.models import PolicyClause
from modules.selectors import policy_clause_citations, policy_clause_versions
from modules.services import PolicyError, policy_clause_revise
from quizzes.models import Option
from tests.factories import (
    PolicyClauseFactory,
    QuizFactory,
    default_steps,
    module_page_create,
    single_choice_create,
    true_false_create,
)


@pytest.fixture
def author_client(people, client_for):
    return client_for(people["author"])


@pytest.fixture
def publisher_client(django_user_model, people):
    """Four eyes leaves direct publishing to superusers; authors submit clauses for review
    (tests/modules/test_four_eyes.py)."""
    from django.test import Client

    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    return client


def _steps_citing(*, cited, other):
    """narrative, policy extract (cited), decision (choice 2 cites), key rules (rule 1 cites)."""
    steps = default_steps(clause=other)
    steps[1]["value"]["choices"][1]["clause"] = cited.pk
    return [
        steps[0],
        {"type": "policy_extract", "value": {"clause": cited.pk, "commentary": ""}},
        steps[1],
        {
            "type": "key_rules",
            "value": {
                "heading": "Key rules",
                "rules": [
                    {"text": "Consent first", "clause": cited.pk},
                    {"text": "Record it", "clause": other.pk},
                ],
            },
        },
    ]


@pytest.mark.django_db
def test_revising_a_clause_adds_a_new_published_version_and_leaves_the_old_one_alone(
    people, django_user_model
):
    old = PolicyClauseFactory(reference="4.3", heading="Old heading", summary="Old meaning.")
    # Four eyes: an author's new version is only proposed, a draft waiting for review.
    proposed = policy_clause_revise(
        clause=old, heading="Proposed", summary="Proposed meaning.", user=people["author"].user
    )
    assert not proposed.live and proposed.current_workflow_state.status == "in_progress"
    assert list(policy_clause_versions(clause=old).filter(live=True)) == [old]
    proposed.current_workflow_state.cancel(user=people["author"].user)
    proposed.delete()
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")

    new = policy_clause_revise(
        clause=old, heading=" New heading ", summary="New meaning.", user=admin
    )

    old.refresh_from_db()
    assert (old.version, old.heading, old.summary) == (1, "Old heading", "Old meaning.")
    assert (new.version, new.heading, new.summary, new.reference) == (
        2,
        "New heading",
        "New meaning.",
        "4.3",
    )
    assert new.document_id == old.document_id and new.pk != old.pk
    assert new.live and new.live_revision is not None
    assert new.live_revision.user == admin
    assert list(policy_clause_versions(clause=old)) == [new, old]
    assert "(clause version 2)" not in new.citation  # the short citation names the document version


@pytest.mark.django_db
def test_only_the_current_version_can_be_revised(people):
    old = PolicyClauseFactory(reference="4.3")
    policy_clause_revise(clause=old, heading="Second", summary="Second meaning.", user=None)

    with pytest.raises(PolicyError, match="has a newer version \\(version 2\\)"):
        policy_clause_revise(clause=old, heading="Third", summary="Third meaning.", user=None)
    assert PolicyClause.objects.filter(reference="4.3").count() == 2


@pytest.mark.django_db
def test_a_revision_with_an_empty_summary_is_refused_and_saves_nothing():
    old = PolicyClauseFactory(reference="4.3")
    with pytest.raises(PolicyError):
        policy_clause_revise(clause=old, heading="Heading", summary="   ", user=None)
    assert PolicyClause.objects.filter(reference="4.3").count() == 1


@pytest.mark.django_db
def test_citations_find_every_module_step_citing_the_clause_in_published_and_draft_versions():
    cited = PolicyClauseFactory(reference="4.3")
    other = PolicyClauseFactory(reference="9.9")
    module = module_page_create(clause=other, steps=_steps_citing(cited=cited, other=other))
    untouched = module_page_create(clause=other, slug="untouched", title="Untouched")

    # A draft that moves the policy extract to the end: it is listed as a draft citation.
    steps = _steps_citing(cited=cited, other=other)
    module.steps = json.dumps(steps[:1] + steps[2:] + steps[1:2])
    module.save_revision()

    citations = policy_clause_citations(clause=cited)["module_steps"]

    assert {citation["page"].pk for citation in citations} == {module.pk}
    assert untouched.pk not in {citation["page"].pk for citation in citations}
    found = {
        (citation["number"], citation["type"], tuple(citation["places"]), tuple(citation["in"]))
        for citation in citations
    }
    assert found == {
        (2, "policy_extract", ("policy extract",), ("published",)),
        (3, "decision", ("choice 2",), ("published",)),
        (4, "key_rules", ("key rule 1",), ("published",)),
        (2, "decision", ("choice 2",), ("latest draft",)),
        (3, "key_rules", ("key rule 1",), ("latest draft",)),
        (4, "policy_extract", ("policy extract",), ("latest draft",)),
    }


@pytest.mark.django_db
def test_citations_find_questions_through_any_relation_to_the_clause():
    cited = PolicyClauseFactory(reference="4.3")
    other = PolicyClauseFactory(reference="9.9")
    module = module_page_create(clause=other)
    quiz = QuizFactory(module=module)
    by_option = single_choice_create(
        quiz=quiz, clause=other, text="Cited by an option", sort_order=0
    )
    Option.objects.filter(question=by_option, sort_order=1).update(clause=cited)
    by_question = true_false_create(quiz=quiz, clause=cited, sort_order=1)
    single_choice_create(quiz=quiz, clause=other, text="Not cited", sort_order=2)

    questions = policy_clause_citations(clause=cited)["questions"]

    assert [(type(entry["object"]), entry["object"].pk) for entry in questions] == [
        (type(by_option), by_option.pk),
        (type(by_question), by_question.pk),
    ]
    assert questions[0]["places"] == ["option: Option 1"]
    assert questions[1]["places"] == ["the question"]


@pytest.mark.django_db
def test_publishing_a_new_version_in_the_admin_lists_what_cites_the_old_one(publisher_client):
    author_client = publisher_client
    cited = PolicyClauseFactory(reference="4.3", heading="WhatsApp with children")
    other = PolicyClauseFactory(reference="9.9")
    module = module_page_create(clause=other, steps=_steps_citing(cited=cited, other=other))
    quiz = QuizFactory(module=module)
    question = true_false_create(quiz=quiz, clause=cited)

    form_url = reverse("wagtailsnippets_modules_policyclause:revise", args=[cited.pk])
    form = author_client.get(form_url)
    assert form.status_code == 200
    assert (
        "WhatsApp with children" in form.content.decode()
    )  # the form starts from the current wording

    response = author_client.post(
        form_url,
        {
            "change": "change",
            "heading": "WhatsApp with children (revised)",
            "summary": "Now needs both parents.",
        },
        follow=True,
    )

    new = PolicyClause.objects.get(reference="4.3", version=2)
    assert new.summary == "Now needs both parents."
    assert response.redirect_chain[-1][0] == reverse(
        "wagtailsnippets_modules_policyclause:citations", args=[cited.pk]
    )
    page = response.content.decode()
    assert "Version 2 of clause 4.3 is published" in page
    assert (
        module.title in page
        and "policy extract" in page
        and "choice 2" in page
        and "key rule 1" in page
    )
    assert reverse("wagtailadmin_pages:edit", args=[module.pk]) in page
    assert question.text in page
    assert reverse("wagtailsnippets_quizzes_truefalsequestion:edit", args=[question.pk]) in page


@pytest.mark.django_db
def test_the_revise_form_keeps_what_was_typed_and_explains_errors(publisher_client):
    author_client = publisher_client  # the new-version form publishes (four eyes: not authors)
    cited = PolicyClauseFactory(reference="4.3")
    response = author_client.post(
        reverse("wagtailsnippets_modules_policyclause:revise", args=[cited.pk]),
        {"heading": "Kept heading", "summary": ""},
    )
    assert response.status_code == 200
    assert "Kept heading" in response.content.decode()
    assert "This field is required" in response.content.decode()
    assert PolicyClause.objects.filter(reference="4.3").count() == 1


@pytest.mark.django_db
def test_revising_needs_permission_to_add_clauses(people, client_for):
    cited = PolicyClauseFactory(reference="4.3")
    client = client_for(people["manager"])
    response = client.post(
        reverse("wagtailsnippets_modules_policyclause:revise", args=[cited.pk]),
        {"heading": "H", "summary": "S"},
    )
    assert response.status_code in (302, 403)
    assert PolicyClause.objects.filter(reference="4.3").count() == 1


@pytest.mark.django_db
def test_clause_listing_and_edit_view_offer_a_new_version(publisher_client):
    author_client = publisher_client  # the new-version form publishes (four eyes: not authors)
    cited = PolicyClauseFactory(reference="4.3")
    revise_url = reverse("wagtailsnippets_modules_policyclause:revise", args=[cited.pk])
    assert (
        revise_url
        in author_client.get(reverse("wagtailsnippets_modules_policyclause:list")).content.decode()
    )
    assert (
        revise_url
        in author_client.get(
            reverse("wagtailsnippets_modules_policyclause:edit", args=[cited.pk])
        ).content.decode()
    )


@pytest.mark.django_db
def test_clauses_are_searchable_in_the_admin(author_client):
    PolicyClauseFactory(reference="4.3", heading="WhatsApp with children")
    PolicyClauseFactory(reference="7.1", heading="Court orders for viewing")
    response = author_client.get(
        reverse("wagtailsnippets_modules_policyclause:list"), {"q": "WhatsApp"}
    )
    page = response.content.decode()
    assert "WhatsApp with children" in page and "Court orders for viewing" not in page


@pytest.mark.django_db
def test_editing_a_draft_clause_in_the_admin_keeps_revisions_and_drafts(
    author_client, publisher_client
):
    # Never published, so it may be edited in place (tests/modules/test_clause_carry_through.py
    # shows a published one may not).
    clause = PolicyClauseFactory(
        reference="4.3", heading="Original", summary="Original summary.", live=False
    )
    edit_url = reverse("wagtailsnippets_modules_policyclause:edit", args=[clause.pk])
    data = {
        "document": clause.document_id,
        "reference": "4.3",
        "heading": "Draft heading",
        "summary": "Original summary.",
    }

    response = author_client.post(edit_url, data)  # "Save draft"

    assert response.status_code == 302
    clause.refresh_from_db()
    assert not clause.live and clause.has_unpublished_changes
    assert clause.latest_revision.content["heading"] == "Draft heading"

    # An author's "publish" only saves another draft (four eyes); a superuser's publishes.
    author_client.post(edit_url, {**data, "action-publish": "publish"})
    clause.refresh_from_db()
    assert not clause.live and not clause.live_revision
    publisher_client.post(edit_url, {**data, "action-publish": "publish"})
    clause.refresh_from_db()
    assert clause.heading == "Draft heading" and clause.version == 1
    assert clause.revisions.count() == 3
    # Now published: further edits are refused, whoever makes them.
    publisher_client.post(edit_url, {**data, "heading": "Later", "action-publish": "publish"})
    clause.refresh_from_db()
    assert clause.heading == "Draft heading" and clause.revisions.count() == 3


@pytest.mark.django_db
def test_the_version_cannot_be_typed_in_the_admin(publisher_client):
    clause = PolicyClauseFactory(reference="4.3", live=False)
    edit_url = reverse("wagtailsnippets_modules_policyclause:edit", args=[clause.pk])
    publisher_client.post(
        edit_url,
        {
            "document": clause.document_id,
            "reference": "4.3",
            "heading": "H",
            "summary": "S",
            "version": "7",
            "action-publish": "publish",
        },
    )
    clause.refresh_from_db()
    assert clause.heading == "H" and clause.version == 1


@pytest.mark.django_db
def test_questions_and_blocks_choose_clauses_with_the_snippet_chooser(author_client, quiz):
    question = quiz.questions.get(sort_order=2)
    page = author_client.get(
        reverse("wagtailsnippets_quizzes_truefalsequestion:edit", args=[question.pk])
    ).content.decode()
    assert reverse("wagtailsnippetchoosers_modules_policyclause:choose") in page
    PolicyClauseFactory(reference="7.1", heading="Court orders for viewing")
    results = author_client.get(
        reverse("wagtailsnippetchoosers_modules_policyclause:choose_results"), {"q": "court"}
    )
    assert results.status_code == 200
    assert "Court orders for viewing" in results.content.decode()
    assert "Contacting children on WhatsApp" not in results.content.decode()


@pytest.mark.django_db
def test_finding_citations_takes_the_same_queries_for_one_question_or_many():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cited = PolicyClauseFactory(reference="4.3")
    module = module_page_create(clause=cited)
    quiz = QuizFactory(module=module)
    single_choice_create(quiz=quiz, clause=cited, sort_order=0)
    true_false_create(quiz=quiz, clause=cited, sort_order=1)
    # Once before counting: the first reading also looks up the question kinds' content types,
    # which Django then keeps (one query more for the few, whatever the number of questions).
    policy_clause_citations(clause=cited)
    with CaptureQueriesContext(connection) as few:
        assert len(policy_clause_citations(clause=cited)["questions"]) == 2

    for sort_order in range(2, 8):
        single_choice_create(quiz=quiz, clause=cited, sort_order=sort_order)
        true_false_create(quiz=quiz, clause=cited, sort_order=sort_order)
    with CaptureQueriesContext(connection) as many:
        citations = policy_clause_citations(clause=cited)
        assert len(citations["questions"]) == 14
        assert all(entry["object"].quiz.title for entry in citations["questions"])
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_the_clause_listing_shows_which_versions_are_current(author_client):
    old = PolicyClauseFactory(reference="4.3", heading="Old wording")
    policy_clause_revise(clause=old, heading="New wording", summary="New meaning.", user=None)

    response = author_client.get(reverse("wagtailsnippets_modules_policyclause:list"))

    rows = {clause.heading: clause.is_current for clause in response.context["object_list"]}
    assert rows == {"Old wording": False, "New wording": True}
    assert "Current version" in response.content.decode()
    searched = author_client.get(
        reverse("wagtailsnippets_modules_policyclause:list"), {"q": "wording"}
    )
    assert sorted(clause.is_current for clause in searched.context["object_list"]) == [False, True]


@pytest.mark.django_db
def test_revising_an_old_version_in_the_admin_explains_why_not(publisher_client):
    author_client = publisher_client  # the new-version form publishes (four eyes: not authors)
    old = PolicyClauseFactory(reference="4.3")
    policy_clause_revise(clause=old, heading="Second", summary="Second meaning.", user=None)

    response = author_client.post(
        reverse("wagtailsnippets_modules_policyclause:revise", args=[old.pk]),
        {"change": "change", "heading": "Third", "summary": "Third meaning."},
    )

    assert response.status_code == 200
    assert "has a newer version (version 2); revise that one instead." in response.content.decode()
    assert PolicyClause.objects.filter(reference="4.3").count() == 2
    citations = author_client.get(
        reverse("wagtailsnippets_modules_policyclause:citations", args=[old.pk])
    )
    page = citations.content.decode()
    assert "the current version is 2 (change of meaning)." in page
    assert (
        "No module step cites this version." in page and "No question cites this version." in page
    )
