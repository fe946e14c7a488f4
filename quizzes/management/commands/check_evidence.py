from django.core.management.base import BaseCommand, CommandError

from quizzes.evidence import attempt_evidence_check
from quizzes.models import AttemptEvidence


class Command(BaseCommand):
    help = (
        "Re-hash every stored evidence PDF (or one attempt's) and compare it with the SHA-256 "
        "recorded when it was sealed. Exits with an error naming each file that does not match."
    )

    def add_arguments(self, parser):
        parser.add_argument("--attempt", type=int, help="Check only this attempt's evidence.")

    def handle(self, *args, attempt=None, **options):
        evidence_rows = AttemptEvidence.objects.order_by("attempt_id")
        if attempt is not None:
            evidence_rows = evidence_rows.filter(attempt_id=attempt)
            if not evidence_rows.exists():
                raise CommandError(f"Attempt {attempt} has no sealed evidence.")
        checked, broken = 0, []
        for evidence in evidence_rows.iterator(chunk_size=200):
            checked += 1
            if not attempt_evidence_check(evidence=evidence):
                broken.append(evidence)
                self.stderr.write(
                    f"Attempt {evidence.attempt_id}: {evidence.pdf.name} does not match "
                    f"its SHA-256 {evidence.sha256} (changed or missing)."
                )
        if broken:
            raise CommandError(f"{len(broken)} of {checked} evidence files do not match.")
        self.stdout.write(f"{checked} evidence files checked: every one matches its SHA-256.")
