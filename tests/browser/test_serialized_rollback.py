"""Serialized rollback gives each live-server test the database it starts from (Wagtail's tree,
site and collections), whatever its worker ran before (conftest.serialized_rollback_ready). Here
that is a flush like the one a transactional test without serialized rollback ends with: its
post_migrate recreates the content types and permissions under new ids, which Django's own
restore then collides with. A Lighthouse test that was the first live-server test on its worker
failed so in a full run."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from wagtail.models import Site


def _content_type_ids(snapshot):
    return {
        (row["fields"]["app_label"], row["fields"]["model"]): row["pk"]
        for row in json.loads(snapshot)
        if row["model"] == "contenttypes.contenttype"
    }


def _stored_content_type_ids():
    return {
        (app_label, model): pk
        for pk, app_label, model in ContentType.objects.values_list("pk", "app_label", "model")
    }


def test_the_restore_after_a_flush_that_recreated_the_content_types_puts_back_the_snapshot(
    transactional_db, serialized_rollback_ready, django_db_serialized_rollback
):
    snapshot = connection._test_serialized_contents
    snapshot_ids = _content_type_ids(snapshot)
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    recreated = _stored_content_type_ids()
    assert recreated.keys() == snapshot_ids.keys() and recreated != snapshot_ids, (
        "post_migrate recreated the content types under new ids"
    )

    connection.creation.deserialize_db_from_string(snapshot)

    assert _stored_content_type_ids() == snapshot_ids
    assert Site.objects.filter(is_default_site=True, root_page__depth=2).exists()
