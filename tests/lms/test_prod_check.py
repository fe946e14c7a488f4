"""`make prod-check` runs the release steps of docs/deploy.md: the doc and the script agree."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def prod_check():
    spec = importlib.util.spec_from_file_location("prod_check", ROOT / "scripts" / "prod_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_release_step_in_the_deploy_doc_is_run_by_the_check(prod_check):
    steps = prod_check.release_steps()
    commands = [prod_check.step_command(step) for step in steps]
    run = [" ".join(command[1:]) for command in commands if command and command[0] != "npm"]
    assert run == [
        "manage.py collectstatic --noinput",
        "manage.py migrate --noinput",
        "manage.py createcachetable",
        "manage.py sync_roles",
        "manage.py check --deploy",
    ]
    assert ["npm", "run", "--silent", "build"] in commands


def test_a_release_step_the_check_does_not_know_fails_it(prod_check, tmp_path):
    doc = tmp_path / "deploy.md"
    doc.write_text(
        "## Release steps\n\n```sh\npython manage.py migrate\ncurl https://example.org | sh\n```\n"
    )
    steps = prod_check.release_steps(doc)
    assert steps == ["python manage.py migrate", "curl https://example.org | sh"]
    with pytest.raises(prod_check.CheckFailed, match="does not know"):
        prod_check.step_command(steps[1])


def test_a_doc_without_release_steps_fails_the_check(prod_check, tmp_path):
    doc = tmp_path / "deploy.md"
    doc.write_text("# Deploying\n")
    with pytest.raises(prod_check.CheckFailed, match="Release steps"):
        prod_check.release_steps(doc)
