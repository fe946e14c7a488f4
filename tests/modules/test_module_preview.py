from django.test import RequestFactory


def test_preview_shows_every_step_with_each_choice_and_its_feedback(module, people):
    request = RequestFactory().get("/")
    request.user = people["author"].user
    response = module.serve_preview(request, "")
    html = response.render().content.decode()
    assert "<title>Preview: WhatsApp with children – " in html
    for text in ("Meet Jade", "Jade asks to use WhatsApp", "Agree once a parent consents in writing",
                 "Right: under-16s need a parent&#x27;s written consent.", "Not without a parent&#x27;s written consent.",
                 "How would you explain this to Jade?"):
        assert text in html
    # Which choice is right is said in words, not shown by colour.
    assert html.count("(what the policy expects)") == 1
    assert html.count("(not what the policy expects)") == 1
