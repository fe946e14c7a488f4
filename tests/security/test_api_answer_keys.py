"""The API never returns answers or keys: with a client holding every scope, every read about a
person who has answered a quiz carries none of the attempt's keyed fields, option texts,
feedback or explanations, and no token."""

import json

import pytest

from api.models import ApiClient
from api.services import api_client_create
from quizzes.selectors import KEYED_OPTION_FIELDS, KEYED_QUESTION_FIELDS

pytestmark = pytest.mark.django_db

ANSWER_FIELDS = {*KEYED_OPTION_FIELDS, *KEYED_QUESTION_FIELDS, "options", "answers", "questions"}


def _keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def _keyed_texts(attempt):
    """Every piece of text that states or hints at the key, from the attempt's snapshot."""
    texts = set()
    for question in attempt.questions:
        texts.add(question.get("explanation", ""))
        for option in question["options"]:
            texts |= {option.get("feedback", ""), option.get("text", "")}
    return {text for text in texts if len(text) > 8}


def test_no_api_read_carries_answers_or_keys(client, world):
    owner, attempt, certificate = world["owner"], world["attempt"], world["certificate"]
    owner.employee_number = "E-OWNER"
    owner.save(update_fields=["employee_number"])
    _, token = api_client_create(name="Everything", scopes=ApiClient.Scope.values, by=None)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    responses = [
        client.get("/api/v1/statuses", **headers),
        client.get("/api/v1/statuses", {"person": "E-OWNER"}, **headers),
        client.get("/api/v1/certificates", **headers),
        client.get("/api/v1/certificates", {"person": "E-OWNER"}, **headers),
        client.get(f"/api/v1/certificates/verify/{certificate.code}", **headers),
        client.get("/api/v1/openapi.json"),
    ]
    keyed = _keyed_texts(attempt)
    assert keyed, "the detector must have keyed text to look for"
    owner_seen = False
    for response in responses:
        assert response.status_code == 200
        body = response.json()
        text = json.dumps(body, ensure_ascii=False)
        owner_seen = owner_seen or certificate.serial in text
        assert not (set(_keys(body)) & ANSWER_FIELDS) or "paths" in body
        assert not [marker for marker in keyed if marker in text]
        assert token not in text and token[4:20] not in text
    assert owner_seen  # positive control: the reads did reach the person who answered


def test_the_schema_describes_no_answer_fields(client):
    schema = client.get("/api/v1/openapi.json").json()
    properties = set()
    for component in schema["components"]["schemas"].values():
        properties |= set(component.get("properties", {}))
    assert not properties & ANSWER_FIELDS
