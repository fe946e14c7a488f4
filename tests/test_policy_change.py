"""A policy clause changes meaning: certificates that rested on the old version need
recertification, and their holders get the module assigned again."""

from certificates.models import Certificate
from lms import audit
from lms.models import AuditEvent
from modules.services import policy_clause_revise
from quizzes.services import attempt_submit
from tests.factories import attempt_begin
from tracking import status as statuses
from tracking.models import Assignment
from tracking.selectors import module_status_grid


def _pass(person, quiz, capture):
    attempt = attempt_begin(person=person, quiz=quiz)
    answers = {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])]
        for q in attempt.questions
    }
    with capture(execute=True):
        attempt_submit(attempt=attempt, answers=answers)


def _publisher():
    """Four eyes: an author cannot publish a new clause version alone; a superuser can."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(
        username="root", defaults={"is_superuser": True, "is_staff": True}
    )[0]


def test_a_new_clause_version_sends_certificates_for_recertification(
    people, quiz, module, clause, django_capture_on_commit_callbacks
):
    staff = people["staff"]
    _pass(staff, quiz, django_capture_on_commit_callbacks)
    _pass(people["other_staff"], quiz, django_capture_on_commit_callbacks)
    assert (
        Certificate.objects.filter(status=Certificate.Status.VALID).count() == 4
    )  # module + base, each

    new_version = policy_clause_revise(
        clause=clause,
        heading="Contacting children on WhatsApp",
        summary="Now also needs a manager's agreement.",
        user=_publisher(),
    )

    assert new_version.version == clause.version + 1
    assert AuditEvent.objects.filter(
        action=audit.CLAUSE_CHANGED, target_id=str(new_version.pk)
    ).exists()
    assert set(Certificate.objects.values_list("status", flat=True)) == {
        Certificate.Status.RECERTIFICATION_DUE
    }
    assignment = Assignment.objects.get(person=staff, module=module)
    assert assignment.reason == Assignment.Reason.RECERTIFICATION
    cell = module_status_grid(people=[staff], modules=[module])[0]["cells"][0]
    assert cell.status == statuses.RECERTIFICATION_DUE
    # Still verifiable, saying why.
    certificate = Certificate.objects.get(person=staff, kind=Certificate.Kind.MODULE)
    assert certificate.events.filter(to_status=Certificate.Status.RECERTIFICATION_DUE).exists()


def test_certificates_resting_on_other_clauses_are_untouched(
    people, quiz, clause, django_capture_on_commit_callbacks
):
    from tests.factories import PolicyClauseFactory

    _pass(people["staff"], quiz, django_capture_on_commit_callbacks)
    unrelated = PolicyClauseFactory(reference="9.9")
    policy_clause_revise(
        clause=unrelated, heading="Other", summary="Something else.", user=_publisher()
    )
    assert set(Certificate.objects.values_list("status", flat=True)) == {Certificate.Status.VALID}
