"""Auditors' read-only access to the evidence record: lists and exports of attempts. Anyone
else gets a 404, as for a page that does not exist."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from lms import roles
from lms.access import require_role
from lms.audit import audit_export
from lms.exports import file_response, table_csv_response

from .evidence import attempt_evidence_pdf, attempt_evidence_seal, evidence_csv_response
from .models import Quiz
from .selectors import attempt_for_audit, quiz_attempts_for_audit, quizzes_for_audit


@login_required
def audit_quiz_list(request):
    require_role(request.user, roles.AUDITORS)
    quizzes = quizzes_for_audit()
    if request.GET.get("format") == "csv":
        audit_export(
            request=request, what="the quizzes and their attempt counts", export_format="csv"
        )
        return table_csv_response(
            filename="quizzes",
            headers=["quiz", "module", "attempts", "passed"],
            rows=[
                [quiz.title, quiz.module.title, quiz.attempt_count, quiz.passed_count]
                for quiz in quizzes
            ],
        )
    return render(request, "quizzes/audit_quiz_list.html", {"quizzes": quizzes})


@login_required
def audit_quiz_attempts(request, quiz_id):
    require_role(request.user, roles.AUDITORS)
    quiz = get_object_or_404(Quiz.objects.select_related("module"), pk=quiz_id)
    attempts = quiz_attempts_for_audit(quiz=quiz)
    return render(request, "quizzes/audit_quiz_attempts.html", {"quiz": quiz, "attempts": attempts})


@login_required
def audit_quiz_attempts_csv(request, quiz_id):
    require_role(request.user, roles.AUDITORS)
    quiz = get_object_or_404(Quiz.objects.select_related("module"), pk=quiz_id)
    audit_export(request=request, what=f"the attempts at {quiz}", export_format="csv")
    return evidence_csv_response(
        attempts=quiz_attempts_for_audit(quiz=quiz).iterator(chunk_size=200),
        filename=f"attempts-{quiz.module.slug}",
        stream=True,
    )


def _attempt_or_404(request, attempt_id):
    require_role(request.user, roles.AUDITORS)
    attempt = attempt_for_audit(attempt_id=attempt_id)
    if attempt is None:
        raise Http404
    return attempt


@login_required
def audit_attempt_csv(request, attempt_id):
    attempt = _attempt_or_404(request, attempt_id)
    audit_export(request=request, what=f"the evidence of attempt {attempt.pk}", export_format="csv")
    return evidence_csv_response(attempts=[attempt], filename=f"attempt-{attempt.pk}")


@login_required
def audit_attempt_pdf(request, attempt_id):
    """A submitted attempt's evidence exactly as sealed (sealed now if its background task has
    not run yet, or the attempt predates sealing); an open attempt's record so far, rendered
    afresh because it is not evidence yet."""
    attempt = _attempt_or_404(request, attempt_id)
    audit_export(request=request, what=f"the evidence of attempt {attempt.pk}", export_format="pdf")
    if not attempt.is_submitted:
        return file_response(
            attempt_evidence_pdf(attempt=attempt),
            filename=f"attempt-{attempt.pk}-open.pdf",
            content_type="application/pdf",
        )
    evidence = attempt_evidence_seal(attempt_id=attempt.pk)
    with evidence.pdf.open("rb") as stored:
        response = file_response(
            stored.read(), filename=f"attempt-{attempt.pk}.pdf", content_type="application/pdf"
        )
    response["X-Evidence-SHA256"] = evidence.sha256
    return response
