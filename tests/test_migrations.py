"""Moving people and tracking out of lms, and the certificate access log into the audit trail,
keeps every row: a database holding data at the migration heads before the move is migrated to
today's heads, and everything is found where the code now looks for it."""

import datetime

import pytest
from django_tasks_db.models import DBTaskResult

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from certificates.models import Certificate
from lms.models import AuditEvent
from people.models import Person, Team
from tests.factories import certificate_make, module_page_create, progress_make
from tracking.models import Assignment, Reminder

# The heads before the move.
BEFORE = [
    ("lms", "0005_organisation_given_email_addresses"),
    ("modules", "0002_policy_library_drafts_revisions_locking"),
    ("quizzes", "0006_quiz_shuffle_options_on_for_existing"),
    ("certificates", "0003_lifecycle_base_competence_access_log"),
    ("people", None),
    ("tracking", None),
]
OLD_REMINDER_TASK = "lms.tasks.reminder_send_task"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def populated(transactional_db, people, clause):
    """Rows in every moved table, made with today's code before going back to the old heads."""
    module = module_page_create(clause=clause)
    child = Team.objects.create(name="Adoption south", parent=people["staff"].team)
    people["deep"].team = child
    people["deep"].save()
    assignment = Assignment.objects.create(module=module, due_on=timezone.localdate())
    reminder = Reminder.objects.create(
        person=people["staff"],
        module=module,
        reason=Reminder.Reason.OVERDUE,
        about_date=timezone.localdate(),
        recipient="sam.staff@example.org",
    )
    certificate = certificate_make(
        person=people["staff"], module=module, expires_on=timezone.localdate()
    )
    progress_make(person=people["staff"], module=module)
    granted = Group.objects.create(name="Importers")
    granted.permissions.add(Permission.objects.get(codename="import_people"))
    return {
        "people": {person.pk for person in Person.objects.all()},
        "teams": dict(Team.objects.values_list("pk", "parent_id")),
        "assignment": assignment.pk,
        "reminder": reminder.pk,
        "certificate": certificate.pk,
        "group": granted.pk,
    }


def test_a_database_at_the_old_heads_keeps_every_row_at_the_new_ones(populated):
    latest = _latest()
    try:
        old = (
            _migrate(BEFORE)
            .loader.project_state([(app, name) for app, name in BEFORE if name])
            .apps
        )
        # At the old heads the models are lms's again, with their content types and rows.
        assert old.get_model("lms", "Person").objects.count() == len(populated["people"])
        assert ContentType.objects.filter(app_label="lms", model="person").exists()
        # (Organisation and ReportingLink began in people; their stale content types are not
        # ones the move renames.)
        assert (
            not ContentType.objects.filter(app_label="people")
            .exclude(model__in=["organisation", "reportinglink"])
            .exists()
        )
        user = old.get_model("auth", "User").objects.get(username="ada.auditor")
        access_log = old.get_model("certificates", "CertificateAccessLog")
        downloaded_at = timezone.now() - datetime.timedelta(days=3)
        access_log.objects.create(
            certificate_id=populated["certificate"],
            user_id=user.pk,
            user_name="Ada Auditor",
            action="bulk_download",
            at=downloaded_at,
        )
        # The task table is not one the move changes: today's model writes it as it was.
        queued = DBTaskResult.objects.create(
            task_path=OLD_REMINDER_TASK,
            args_kwargs={"args": [], "kwargs": {}},
            backend_name="default",
            queue_name="default",
            priority=0,
            status="READY",
            run_after=timezone.now(),
            exception_class_path="",
            traceback="",
        )
    finally:
        _migrate(latest)

    assert set(Person.objects.values_list("pk", flat=True)) == populated["people"]
    assert dict(Team.objects.values_list("pk", "parent_id")) == populated["teams"]
    assert Assignment.objects.filter(pk=populated["assignment"]).exists()
    assert Reminder.objects.get(pk=populated["reminder"]).person.user.username == "sam.staff"
    assert Certificate.objects.get(pk=populated["certificate"]).person.user.username == "sam.staff"
    # Groups keep their permissions: the content types were renamed, not made anew.
    assert (
        Group.objects.get(pk=populated["group"])
        .permissions.filter(content_type__app_label="people", codename="import_people")
        .exists()
    )
    assert not ContentType.objects.filter(app_label="lms", model__in=["person", "team"]).exists()
    # The access log's record is in the audit trail, at its own time.
    copied = AuditEvent.objects.get(
        action="certificate.bulk_download", target_id=str(populated["certificate"])
    )
    assert copied.actor_name == "Ada Auditor"
    assert copied.at == downloaded_at
    assert copied.subject_person_id == Person.objects.get(user__username="sam.staff").pk
    # A reminder queued under the old task path still runs.
    assert DBTaskResult.objects.get(pk=queued.pk).task_path == "tracking.tasks.reminder_send_task"
    # Whose policy applies: each existing document applies to its issuer's organisation.
    from modules.models import PolicyDocument

    for document in PolicyDocument.objects.all():
        assert [organisation.name for organisation in document.audience.all()] == ["Cafcass"]


BEFORE_FOUR_EYES = [
    ("modules", "0006_policydocument_audience_and_not_assessed_reason"),
    ("quizzes", "0009_option_clause_uncited_import"),
]


def test_quizzes_questions_and_modules_from_before_four_eyes_stay_as_they_were(
    transactional_db, clause
):
    """Drafts came to quizzes and questions, and base competence became opt-in for new modules:
    what learners had before stays live, and an existing module keeps counting."""
    from modules.models import ModulePage
    from quizzes.models import Question, Quiz

    module = module_page_create(clause=clause, base_competence=True)
    latest = _latest()
    try:
        old = _migrate(BEFORE_FOUR_EYES).loader.project_state(BEFORE_FOUR_EYES).apps
        quiz = old.get_model("quizzes", "Quiz").objects.create(
            module_id=module.pk, title="Old quiz"
        )
        question = old.get_model("quizzes", "SingleChoiceQuestion").objects.create(
            quiz_id=quiz.pk,
            text="Which is right?",
            polymorphic_ctype_id=ContentType.objects.get(
                app_label="quizzes", model="singlechoicequestion"
            ).pk,
        )
    finally:
        _migrate(latest)

    assert Quiz.objects.get(pk=quiz.pk).live
    migrated = Question.objects.get(pk=question.pk)
    assert migrated.live and not migrated.has_unpublished_changes and not migrated.locked
    assert ModulePage.objects.get(pk=module.pk).base_competence
