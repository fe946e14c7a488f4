"""The admin's "Moodle question banks" screen for L&D authors: import a GIFT or Moodle XML bank
into a quiz (upload, preview of what would be created, confirm) and export a quiz's bank.

The preview is a dry run of the very import (``quizzes.question_banks``), so it shows every problem
the import would meet. Between preview and confirmation the file waits in the session with its
SHA-256, so the confirmation imports the very bytes that were previewed. Both directions show the
answer key, so only L&D authors (who edit quizzes) may use the screen."""

import base64
import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.exports import file_response
from modules.models import PolicyClause

from .admin_forms import QuestionBankExportForm, QuestionBankImportForm
from .models import Quiz
from .question_banks import QuestionBankError, question_bank_export, question_bank_import

QUESTION_BANK_PERMISSION = "quizzes.change_quiz"
PENDING_KEY = "question_bank_pending"


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


class QuestionBankView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "Moodle question banks"
    header_icon = "tasks"
    template_name = "quizzes/admin/question_bank.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(QUESTION_BANK_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("import_form", QuestionBankImportForm())
        context.setdefault("export_form", QuestionBankExportForm())
        return context

    def get(self, request, *args, **kwargs):
        if "format" not in request.GET:
            return super().get(request, *args, **kwargs)
        export_form = QuestionBankExportForm(request.GET)
        if not export_form.is_valid():
            return self.render_to_response(self.get_context_data(export_form=export_form))
        export = question_bank_export(
            quiz=export_form.cleaned_data["quiz"],
            bank_format=export_form.cleaned_data["format"],
            request=request,
        )
        for note in export.notes:
            messages.warning(request, note)
        return file_response(
            export.content, filename=export.filename, content_type=export.content_type
        )

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self._confirm()
        import_form = QuestionBankImportForm(request.POST, request.FILES)
        if not import_form.is_valid():
            return self.render_to_response(self.get_context_data(import_form=import_form))
        upload = import_form.cleaned_data["file"]
        data = upload.read()
        pending = {
            "name": upload.name,
            "data": base64.b64encode(data).decode(),
            "sha256": _sha256(data),
            "quiz": import_form.cleaned_data["quiz"].pk,
            "clause": import_form.cleaned_data["clause"].pk
            if import_form.cleaned_data["clause"]
            else None,
            "skip_unsupported": import_form.cleaned_data["skip_unsupported"],
        }
        try:
            preview = self._import(pending, dry_run=True)
        except QuestionBankError as error:
            request.session.pop(PENDING_KEY, None)
            return self.render_to_response(
                self.get_context_data(import_form=import_form, import_errors=error.problems)
            )
        request.session[PENDING_KEY] = pending
        return self.render_to_response(self.get_context_data(preview=preview))

    def _import(self, pending, *, dry_run):
        return question_bank_import(
            quiz=Quiz.objects.get(pk=pending["quiz"]),
            name=pending["name"],
            content=base64.b64decode(pending["data"]),
            clause=PolicyClause.objects.get(pk=pending["clause"]) if pending["clause"] else None,
            dry_run=dry_run,
            skip_unsupported=pending["skip_unsupported"],
            request=self.request,
        )

    def _confirm(self):
        pending = self.request.session.pop(PENDING_KEY, None)
        if not pending or _sha256(base64.b64decode(pending["data"])) != pending["sha256"]:
            messages.error(
                self.request,
                "Nothing was imported: no checked file is waiting for confirmation. "
                "Upload the file again.",
            )
            return redirect(reverse("quizzes_question_bank"))
        try:
            result = self._import(pending, dry_run=False)
        except (QuestionBankError, Quiz.DoesNotExist, PolicyClause.DoesNotExist) as error:
            problems = getattr(error, "problems", ["the quiz or the clause no longer exists"])
            return self.render_to_response(self.get_context_data(import_errors=problems))
        quiz = result.created[0].quiz if result.created else None
        summary = f"Imported {len(result.created)} questions into {quiz}."
        if result.uncited:
            summary += (
                " They cite no clause yet: no attempt asks them until you cite a clause for "
                "every answer."
            )
        messages.success(self.request, summary)
        return redirect(reverse("quizzes_question_bank"))
