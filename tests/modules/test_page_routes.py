"""Module pages are routed from the shared cache (modules.selectors.page_route_cached): the same for
everyone, never stale once an author publishes, and never holding an answer or anyone's record."""

import json
import pickle

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

from modules.selectors import PAGE_ROUTE_KEY

# What Wagtail's routing reads: the site, each page on the way by its slug, and the view
# restrictions of the page and its ancestors (found by path).
ROUTING_MARKS = (
    '"wagtailcore_site"',
    '"wagtailcore_pageviewrestriction"',
    '"wagtailcore_page"."slug" =',
    '"wagtailcore_page"."path" IN',
)


def _get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [query["sql"] for query in captured.captured_queries]


def _routing_queries(queries):
    return [sql for sql in queries if any(mark in sql for mark in ROUTING_MARKS)]


def test_a_module_page_is_routed_from_the_cache_after_the_first_request(people, module, client_for):
    client = client_for(people["staff"])
    first, first_queries = _get(client, module.url)
    second, second_queries = _get(client, module.url)
    assert first.status_code == second.status_code == 200
    assert _routing_queries(first_queries)
    assert _routing_queries(second_queries) == []
    assert second.content.decode().count(module.title) >= 1
    assert f"{len(module.steps)} steps" in second.content.decode()


def test_a_step_of_a_module_is_routed_from_the_cache_too(people, module, client_for):
    client = client_for(people["staff"])
    client.post(module.url)  # starts the module
    step_url = f"{module.url}step/1/"
    assert client.get(step_url).status_code == 200
    response, queries = _get(client, step_url)
    assert response.status_code == 200
    assert "Meet Jade" in response.content.decode()
    assert _routing_queries(queries) == []


def test_a_published_change_is_seen_at_once(people, module, client_for):
    client = client_for(people["staff"])
    assert "WhatsApp with children" in client.get(module.url).content.decode()
    module.title = "WhatsApp with young people"
    module.summary = "A new summary."
    module.save_revision().publish()
    page = client.get(module.url).content.decode()
    assert "WhatsApp with young people" in page and "A new summary." in page


def test_a_new_slug_moves_the_page_at_once(people, module, client_for):
    client = client_for(people["staff"])
    old_url = module.url
    assert client.get(old_url).status_code == 200
    module.slug = "whatsapp-2"
    module.save_revision().publish()
    module.refresh_from_db()
    assert client.get(old_url).status_code == 404
    assert client.get(module.url).status_code == 200


def test_an_unpublished_module_is_gone_at_once(people, module, client_for):
    client = client_for(people["staff"])
    assert client.get(module.url).status_code == 200
    module.unpublish()
    assert client.get(module.url).status_code == 404


def test_a_deleted_module_is_gone_at_once(people, module, client_for):
    client = client_for(people["staff"])
    url = module.url
    assert client.get(url).status_code == 200
    module.delete()
    assert client.get(url).status_code == 404


def test_a_view_restriction_applies_at_once_and_its_page_is_not_cached(people, module, client_for):
    client = client_for(people["staff"])
    assert client.get(module.url).status_code == 200
    restriction = PageViewRestriction.objects.create(
        page=module, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Nobody here"))
    refused = client.get(module.url)
    assert refused.status_code == 302 and "/_util/login/" in refused.url  # Wagtail's refusal
    response, queries = _get(client, module.url)
    assert response.status_code == 302 and "/_util/login/" in response.url
    assert _routing_queries(queries)  # Wagtail checks it every time
    restriction.delete()
    assert client.get(module.url).status_code == 200


def test_the_cached_route_holds_no_steps_no_answers_and_nobody_s_record(people, module, client_for):
    client = client_for(people["staff"])
    client.post(module.url)
    client.get(module.url)
    entry = cache.get(
        PAGE_ROUTE_KEY.format(host="testserver", port="80", path=module.url.removeprefix("/learn/"))
    )
    assert entry is not None
    stored = pickle.dumps(entry)
    steps = json.dumps(list(module.steps.raw_data))
    assert "Right: under-16s need a parent" in steps  # the decision's feedback is in the steps...
    assert b"under-16s" not in stored and b"is_correct" not in stored  # ...and not in the cache
    assert b"sam.staff" not in stored and people["staff"].user.username.encode() not in stored
    assert "steps" not in entry["page"].__dict__


def test_an_anonymous_visitor_is_sent_to_sign_in_whether_or_not_the_route_is_cached(
    people, module, client, client_for
):
    client_for(people["staff"]).get(module.url)  # cached by someone signed in
    client.logout()
    response = client.get(module.url)
    assert response.status_code == 302 and "/accounts/login/" in response.url
