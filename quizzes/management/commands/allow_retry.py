from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from people.models import Person
from quizzes.models import Quiz
from quizzes.services import AttemptError, retry_allow


class Command(BaseCommand):
    help = "Let a person retry a quiz before their cooldown ends (audited; a reason is required)."

    def add_arguments(self, parser):
        parser.add_argument("--person", required=True, help="Employee number or username.")
        parser.add_argument("--quiz", required=True, type=int, help="Quiz id.")
        parser.add_argument("--reason", required=True)
        parser.add_argument(
            "--by", required=True, help="Username of the administrator granting it."
        )

    def handle(self, *args, person, quiz, reason, by, **options):
        learner = (
            Person.objects.filter(employee_number=person).first()
            or Person.objects.filter(user__username=person).first()
        )
        if learner is None:
            raise CommandError(f"No person with employee number or username {person!r}.")
        quiz_object = Quiz.objects.filter(pk=quiz).first()
        if quiz_object is None:
            raise CommandError(f"No quiz {quiz}.")
        administrator = get_user_model().objects.filter(username=by).first()
        if administrator is None or not administrator.has_perm("quizzes.grant_retry"):
            raise CommandError(f"{by!r} may not grant early retries (needs quizzes.grant_retry).")
        try:
            retry_allow(person=learner, quiz=quiz_object, by=administrator, reason=reason)
        except AttemptError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{learner.full_name} may now retry {quiz_object.title}.")
