"""Working through a module: in order, decisions before moving on, feedback straight away."""

from modules.models import ModuleProgress


def _start(client, module):
    client.post(module.url)
    return ModuleProgress.objects.get(module=module)


def test_logged_out_visitors_are_sent_to_log_in(client, module):
    response = client.get(module.url)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_steps_cannot_be_skipped(client_for, people, module):
    client = client_for(people["staff"])
    _start(client, module)
    response = client.get(module.url + "step/3/")
    assert response.status_code == 302 and response.url.endswith("/step/1/")
    response = client.post(module.url + "step/3/", {"continue": "1"})
    assert response.status_code == 400
    assert "Work through the steps in order" in response.content.decode()
    assert ModuleProgress.objects.get(module=module).steps_completed == 0


def test_a_decision_must_be_made_before_continuing(client_for, people, module):
    client = client_for(people["staff"])
    _start(client, module)
    client.post(module.url + "step/1/", {"continue": "1"})
    response = client.post(module.url + "step/2/", {"continue": "1"})
    assert response.status_code == 400
    assert "Choose what you would do" in response.content.decode()
    assert ModuleProgress.objects.get(module=module).steps_completed == 1


def test_an_unknown_choice_is_refused_and_nothing_recorded(client_for, people, module):
    client = client_for(people["staff"])
    progress = _start(client, module)
    client.post(module.url + "step/1/", {"continue": "1"})
    for bad in ["7", "-1", "first"]:
        response = client.post(module.url + "step/2/", {"choice": bad})
        assert response.status_code == 400
    progress.refresh_from_db()
    assert progress.decisions == {}


def test_the_first_choice_stands_and_its_feedback_shows(client_for, people, module):
    client = client_for(people["staff"])
    progress = _start(client, module)
    client.post(module.url + "step/1/", {"continue": "1"})
    client.post(module.url + "step/2/", {"choice": "1"})
    client.post(module.url + "step/2/", {"choice": "0"})
    progress.refresh_from_db()
    assert list(progress.decisions.values()) == [1]
    page = client.get(module.url + "step/2/").content.decode()
    assert "This is not what the policy expects" in page
    assert "Not without a parent" in page


def test_leaving_and_coming_back_resumes_where_they_stopped(client_for, people, module):
    client = client_for(people["staff"])
    _start(client, module)
    client.post(module.url + "step/1/", {"continue": "1"})
    assert "Continue where you stopped" in client.get(module.url).content.decode()
    response = client.post(module.url)
    assert response.url.endswith("/step/2/")
    assert ModuleProgress.objects.filter(module=module).count() == 1


def test_someone_without_a_learner_record_gets_404(admin_client, module):
    assert admin_client.get(module.url).status_code == 404


def test_a_citation_of_a_document_that_does_not_apply_to_the_learner_says_so(
    client_for, people, module
):
    """Steps are shown to everyone as authored; the decision's cited document (Cafcass's, in the
    fixture) is marked as not applying to a learner of another organisation, and only to them."""
    from tests.factories import OrganisationFactory

    marker = "This document does not apply to your organisation"
    client = client_for(people["staff"])
    _start(client, module)
    client.post(module.url + "step/1/", {"continue": "1"})
    client.post(module.url + "step/2/", {"choice": "0"})
    assert marker not in client.get(module.url + "step/2/").content.decode()

    staff = people["staff"]
    staff.organisation = OrganisationFactory(code="hertfordshire")
    staff.save(update_fields=["organisation"])
    assert marker in client.get(module.url + "step/2/").content.decode()
