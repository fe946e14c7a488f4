from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from modules.content_copies import RUN_WORDS, copied_runs, policy_runs
from modules.content_import import CONTENT_DIR, ContentError, read_json


class Command(BaseCommand):
    help = (
        "Check that the content files are in the project's own words: list every stretch of a "
        f"file's text that shares {RUN_WORDS} or more words in a row with a policy's text (the "
        "policies' .txt files in --policies). Exits with an error when any is found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--policies", required=True, help="a folder of the policies' text, one .txt file each"
        )
        parser.add_argument(
            "files",
            nargs="*",
            help=f"content files to check (default: every .json file in {CONTENT_DIR})",
        )
        parser.add_argument("--words", type=int, default=RUN_WORDS, help="the shortest run")

    def handle(self, *args, policies, files, words, **options):
        if words < 3:
            raise CommandError("--words must be at least 3: shorter runs are everyday phrases.")
        folder = Path(policies)
        if not folder.is_dir():
            raise CommandError(f"No such folder of policy texts: {folder}")
        texts = sorted(folder.glob("*.txt"))
        if not texts:
            raise CommandError(f"{folder} holds no policy text (.txt files).")
        runs = policy_runs(texts=[path.read_text(encoding="utf-8") for path in texts], length=words)
        paths = [Path(name) for name in files] or sorted(CONTENT_DIR.glob("*.json"))
        found = 0
        for path in paths:
            try:
                data = read_json(path)
            except (ContentError, OSError) as error:
                raise CommandError(f"{path}: {error}") from error
            for run in copied_runs(data=data, runs=runs, length=words):
                found += 1
                self.stdout.write(f"{path.name}: {run.where}: {run.length} words: “{run.words}”")
        if found:
            raise CommandError(
                f"{found} stretch(es) copied word for word from the policies in "
                f"{len(paths)} file(s): put them in the project's own words."
            )
        self.stdout.write(
            f"{len(paths)} file(s) checked against {len(texts)} policies: nothing copied "
            f"({words} words or more in a row)."
        )
