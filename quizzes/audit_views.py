"""Auditors' read-only access to the evidence record: lists and exports of attempts. Anyone
else gets a 404, as for a page that does not exist."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from lms import roles
from lms.access import require_role

from .evidence import attempt_evidence_pdf, csv_text, evidence_csv_lines
from .models import Quiz
from .selectors import attempt_for_audit, quiz_attempts_for_audit, quizzes_for_audit


@login_required
def audit_quiz_list(request):
    require_role(request.user, roles.AUDITORS)
    quizzes = quizzes_for_audit()
    if request.GET.get("format") == "csv":
        rows = [["quiz", "module", "attempts", "passed"]] + [
            [quiz.title, quiz.module.title, quiz.attempt_count, quiz.passed_count]
            for quiz in quizzes
        ]
        response = HttpResponse(csv_text(rows=rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="quizzes.csv"'
        return response
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
    response = StreamingHttpResponse(
        evidence_csv_lines(attempts=quiz_attempts_for_audit(quiz=quiz).iterator(chunk_size=200)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="attempts-{quiz.module.slug}.csv"'
    return response


def _attempt_or_404(request, attempt_id):
    require_role(request.user, roles.AUDITORS)
    attempt = attempt_for_audit(attempt_id=attempt_id)
    if attempt is None:
        raise Http404
    return attempt


@login_required
def audit_attempt_csv(request, attempt_id):
    attempt = _attempt_or_404(request, attempt_id)
    response = HttpResponse(
        "".join(evidence_csv_lines(attempts=[attempt])), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="attempt-{attempt.pk}.csv"'
    return response


@login_required
def audit_attempt_pdf(request, attempt_id):
    attempt = _attempt_or_404(request, attempt_id)
    response = HttpResponse(attempt_evidence_pdf(attempt=attempt), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attempt-{attempt.pk}.pdf"'
    return response
