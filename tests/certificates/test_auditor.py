"""The auditor's workspace: who may see what, filters, exports, the streamed ZIP, revocation and
the access log."""

import csv
import datetime
import hashlib
import io
import zipfile

import openpyxl
import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_issue_base_competence, certificate_revoke
from lms.models import AuditEvent
from people.services import team_get_or_create
from tests.factories import facts_refresh, module_certificate_for

LIST_URL = "/certificates/audit/"


@pytest.fixture
def issued(people, quiz, second_quiz, fast_pdf):
    """Sam holds both modules and base competence; Oscar (another team) holds the first module;
    Rita's first-module certificate has expired."""
    sam_first = module_certificate_for(person=people["staff"], quiz=quiz)
    sam_second = module_certificate_for(person=people["staff"], quiz=second_quiz)
    sam_base = certificate_issue_base_competence(person=people["staff"])
    oscar = module_certificate_for(person=people["other_staff"], quiz=quiz)
    rita = module_certificate_for(person=people["deep"], quiz=quiz)
    Certificate.objects.filter(pk=rita.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )  # time passes
    facts_refresh(person=rita.person, module=rita.module)
    return {
        "sam_first": sam_first,
        "sam_second": sam_second,
        "sam_base": sam_base,
        "oscar": oscar,
        "rita": rita,
    }


def _serials(response):
    return {certificate.serial for certificate in response.context["certificates"]}


# Permissions -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "manager", "author", "lead"])
def test_only_auditors_reach_the_workspace(client_for, people, issued, role):
    client = client_for(people[role])
    serial = issued["sam_first"].serial
    for url in (
        LIST_URL,
        f"{LIST_URL}export.csv",
        f"{LIST_URL}export.xlsx",
        f"{LIST_URL}certificates.zip",
        reverse("certificates:auditor_revoke", args=[serial]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("certificates:auditor_revoke", args=[serial]),
            {"reason": "x", "category": "other"},
        ).status_code
        == 404
    )
    assert Certificate.objects.get(serial=serial).status == "valid"


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client, issued):
    response = client.get(LIST_URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_staff_download_only_their_own_managers_none_auditors_all(client_for, people, issued):
    download = reverse("certificates:download", args=[issued["sam_first"].serial])
    assert client_for(people["staff"]).get(download).status_code == 200
    for outsider in ("other_staff", "manager", "lead", "other_manager", "author"):
        assert client_for(people[outsider]).get(download).status_code == 404, outsider
    assert (
        client_for(people["auditor"])
        .get(reverse("certificates:download", args=[issued["oscar"].serial]))
        .status_code
        == 200
    )
    logged = AuditEvent.objects.filter(action="certificate.download").values_list(
        "actor_name", "target_type", "target_id"
    )
    assert set(logged) == {
        ("Sam Staff", "certificates.Certificate", str(issued["sam_first"].pk)),
        ("Ada Auditor", "certificates.Certificate", str(issued["oscar"].pk)),
    }


# The list and its filters ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_every_certificate_without_filters(client_for, people, issued):
    response = client_for(people["auditor"]).get(LIST_URL)
    assert response.status_code == 200
    assert _serials(response) == {certificate.serial for certificate in issued.values()}
    page = response.content.decode()
    assert "Apply filters" in page and '<label class="govuk-label" for="id_person">' in page


@pytest.mark.django_db
def test_filters_narrow_the_list(client_for, people, issued, quiz):
    client = client_for(people["auditor"])
    today = timezone.localdate()

    def listed(**filters):
        return _serials(client.get(LIST_URL, filters))

    assert listed(certifies="base_competence") == {issued["sam_base"].serial}
    assert listed(certifies=str(quiz.module.pk)) == {
        issued[name].serial for name in ("sam_first", "oscar", "rita")
    }
    assert listed(team="other TEAM") == {issued["oscar"].serial}
    assert listed(status="expired") == {issued["rita"].serial}
    kept = client.get(
        LIST_URL,
        {"status": "expired", "team": "family court", "certifies": "base_competence"},
    ).content.decode()
    assert '<option value="expired" selected>' in kept
    # The only team whose name holds the words: shown by its whole name.
    assert 'name="team" type="text" spellcheck="false" value="Family court team"' in kept
    assert '<option value="base_competence" selected>' in kept
    assert issued["rita"].serial not in listed(status="valid")
    assert listed(person="sam") == {
        issued[name].serial for name in ("sam_first", "sam_second", "sam_base")
    }
    assert listed(person="oscar OTHER") == {issued["oscar"].serial}
    assert len(listed(issued_from=today.strftime("%d/%m/%Y"), issued_to=today.isoformat())) == 5
    assert listed(issued_from=(today + datetime.timedelta(days=1)).strftime("%d/%m/%Y")) == set()
    assert listed(issued_to=(today - datetime.timedelta(days=1)).strftime("%d/%m/%Y")) == set()


@pytest.mark.django_db
def test_a_team_filter_includes_sub_teams(client_for, people, issued):
    family = people["staff"].team
    sub_team = team_get_or_create(name="Family court north")
    sub_team.parent = family
    sub_team.save()
    people["other_staff"].team = sub_team
    people["other_staff"].save()
    listed = _serials(client_for(people["auditor"]).get(LIST_URL, {"team": family.name}))
    assert issued["oscar"].serial in listed and issued["sam_first"].serial in listed


@pytest.mark.django_db
def test_bad_filters_get_clear_errors_and_keep_what_was_typed(client_for, people, issued):
    response = client_for(people["auditor"]).get(
        LIST_URL,
        {"issued_from": "31/2/2026", "issued_to": "1/1/2020", "status": "lost", "person": "Sam"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        '<a href="#id_issued_from">Issued from: Enter a real date, for example 31/3/2026</a>'
        in page
    )
    assert '<a href="#id_status">Select a status from the list</a>' in page
    assert 'value="31/2/2026"' in page and 'value="Sam"' in page
    assert "govuk-input--error" in page and 'id="id_issued_from-error"' in page
    reversed_range = client_for(people["auditor"]).get(
        LIST_URL, {"issued_from": "2/1/2026", "issued_to": "1/1/2026"}
    )
    assert "Issued to must be the same as or after issued from" in reversed_range.content.decode()
    export = client_for(people["auditor"]).get(f"{LIST_URL}export.csv", {"issued_from": "nonsense"})
    assert export.status_code == 302 and export.url == f"{LIST_URL}?issued_from=nonsense"


@pytest.mark.django_db
def test_a_team_is_typed_and_when_the_words_fit_several_they_are_offered(
    client_for, people, issued
):
    for name in ("Family court north", "Family court south"):
        team_get_or_create(name=name)
    client = client_for(people["auditor"])

    # The whole name, in any case, is that team even when other names contain it.
    assert _serials(client.get(LIST_URL, {"team": "FAMILY COURT TEAM"})) == {
        issued[name].serial for name in ("sam_first", "sam_second", "sam_base", "rita")
    }

    # Words that fit three teams: an error, and each team offered as a link that keeps the rest.
    response = client.get(LIST_URL, {"team": "family court", "status": "valid", "page": "2"})
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        '<a href="#id_team">More than one team&#x27;s name contains “family court”: choose one '
        "below</a>" in page
    )
    assert 'value="family court"' in page
    offered = response.context["team_choices"]
    assert [name for name, _url in offered] == [
        "Family court north",
        "Family court south",
        "Family court team",
    ]
    assert offered[0][1] == f"{LIST_URL}?team=Family+court+north&status=valid"
    assert (
        f'<a class="govuk-link" href="{LIST_URL}?team=Family+court+south&amp;status=valid">' in page
    )
    # Following one lists that team's certificates (none here: nobody is in it).
    assert client.get(offered[1][1]).status_code == 200

    # A name no team has.
    missing = client.get(LIST_URL, {"team": "Fostering"})
    assert missing.status_code == 400
    assert (
        "No team&#x27;s name contains “Fostering”: check the spelling" in missing.content.decode()
    )
    assert missing.context["team_choices"] == []
    # The downloads refuse what the list refuses, and go back to it to show why.
    export = client.get(f"{LIST_URL}export.csv", {"team": "family court"})
    assert export.status_code == 302 and export.url == f"{LIST_URL}?team=family+court"
    bundle = client.get(f"{LIST_URL}certificates.zip", {"team": "Fostering"})
    assert bundle.status_code == 302 and bundle.url == f"{LIST_URL}?team=Fostering"
    # Longer than any team's name can be.
    too_long = client.get(LIST_URL, {"team": "x" * 151})
    assert too_long.status_code == 400
    assert "Team: enter at most 150 characters" in too_long.content.decode()


@pytest.mark.django_db
def test_a_link_saved_when_the_team_was_a_drop_down_still_narrows_by_its_team(
    client_for, people, issued
):
    other = people["other_staff"].team
    response = client_for(people["auditor"]).get(LIST_URL, {"team": str(other.pk)})
    assert _serials(response) == {issued["oscar"].serial}
    assert 'value="Other team"' in response.content.decode()
    # A number that is no team's id is read as words, as anything else typed is.
    missing = client_for(people["auditor"]).get(LIST_URL, {"team": "999999"})
    assert missing.status_code == 400
    assert "No team&#x27;s name contains “999999”" in missing.content.decode()


@pytest.mark.django_db
def test_words_that_fit_many_teams_offer_the_first_ten_by_name(client_for, people, issued):
    for number in range(12):
        team_get_or_create(name=f"Bay team {number:02d}")
    response = client_for(people["auditor"]).get(LIST_URL, {"team": "bay"})
    assert response.status_code == 400
    assert [name for name, _url in response.context["team_choices"]] == [
        f"Bay team {number:02d}" for number in range(10)
    ]
    assert (
        "More than 10 teams&#x27; names contain “bay”: choose one of the first below, or type "
        "more of its name" in response.content.decode()
    )
    # The words need not be in order, nor whole.
    narrowed = client_for(people["auditor"]).get(LIST_URL, {"team": "11 BA"})
    assert narrowed.status_code == 200
    assert 'value="Bay team 11"' in narrowed.content.decode()


@pytest.mark.django_db
def test_the_list_runs_the_same_queries_however_many_certificates(client_for, people, issued, quiz):
    client = client_for(people["auditor"])
    client.get(LIST_URL)  # warm per-process caches (content types, site)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL)
    for name in ("manager", "lead", "other_manager"):
        module_certificate_for(person=people[name], quiz=quiz)
    with CaptureQueriesContext(connection) as more:
        response = client.get(LIST_URL)
    assert len(response.context["certificates"]) == 8
    assert len(more) == len(few)


# Exports -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_filtered_list_exports_to_csv(client_for, people, issued):
    response = client_for(people["auditor"]).get(f"{LIST_URL}export.csv", {"person": "sam"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["Serial"] for row in rows} == {
        issued[name].serial for name in ("sam_first", "sam_second", "sam_base")
    }
    base = next(row for row in rows if row["Serial"] == issued["sam_base"].serial)
    assert (
        base["Person"] == "Sam Staff"
        and base["Team"] == "Family court team"
        and base["Status"] == "Valid"
    )
    assert base["SHA-256"] == issued["sam_base"].sha256
    assert issued["sam_first"].title in base["Modules covered"]


@pytest.mark.django_db
def test_the_export_says_when_a_policy_states_no_version(client_for, people, issued):
    certificate = issued["sam_first"]
    scope = certificate.scope
    scope["policies"] = [
        {"organisation": "Trust", "title": "Guidance", "version": "not stated"},
        {"organisation": "Cafcass", "title": "Social media policy", "version": "2.1"},
    ]
    Certificate.objects.filter(pk=certificate.pk).update(scope=scope)
    response = client_for(people["auditor"]).get(f"{LIST_URL}export.csv", {"person": "sam"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = next(row for row in rows if row["Serial"] == certificate.serial)
    assert row["Policies"] == ("Trust Guidance no version stated; Cafcass Social media policy v2.1")


@pytest.mark.django_db
def test_the_filtered_list_exports_to_xlsx(client_for, people, issued):
    response = client_for(people["auditor"]).get(f"{LIST_URL}export.xlsx", {"status": "expired"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Serial"
    assert [row[0] for row in rows[1:]] == [issued["rita"].serial]
    assert rows[1][10] == "Expired"


@pytest.mark.django_db
def test_spreadsheet_formulas_in_names_are_neutralised(client_for, people, issued):
    Certificate.objects.filter(pk=issued["oscar"].pk).update(
        holder_name='=HYPERLINK("http://evil")'
    )
    response = client_for(people["auditor"]).get(
        f"{LIST_URL}export.csv", {"team": people["other_staff"].team.name}
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["Person"].startswith("'=")


# Bulk ZIP ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [200, 2])
def test_the_bulk_zip_is_streamed_and_its_manifest_matches_its_files(
    client_for, people, issued, monkeypatch, batch_size
):
    from certificates import exports

    monkeypatch.setattr(exports, "CHUNK_SIZE", batch_size)
    response = client_for(people["auditor"]).get(f"{LIST_URL}certificates.zip", {"person": "sam"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    chunks = list(response.streaming_content)
    assert len(chunks) > 3  # sent piece by piece, not built whole first
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None

    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    expected = {issued[name] for name in ("sam_first", "sam_second", "sam_base")}
    assert {row["Serial"] for row in manifest} == {certificate.serial for certificate in expected}
    assert sorted(archive.namelist()) == sorted(
        [row["File"] for row in manifest] + ["manifest.csv"]
    )
    for row in manifest:
        certificate = Certificate.objects.get(serial=row["Serial"])
        assert (
            hashlib.sha256(archive.read(row["File"])).hexdigest()
            == row["SHA-256"]
            == certificate.sha256
        )
        assert row["Person"] == "Sam Staff"
        assert row["Issued"] == certificate.issued_at.date().isoformat()
        assert row["Expires"] == certificate.expires_on.isoformat()
        assert row["Status"] == "Valid"
    base_row = next(row for row in manifest if row["Serial"] == issued["sam_base"].serial)
    assert (
        issued["sam_first"].title in base_row["Scope"]
        and issued["sam_second"].title in base_row["Scope"]
    )

    logged = AuditEvent.objects.filter(
        action="certificate.bulk_download", actor_name="Ada Auditor"
    ).values_list("target_id", flat=True)
    serials = Certificate.objects.filter(pk__in=[int(pk) for pk in logged]).values_list(
        "serial", flat=True
    )
    assert len(logged) == len(manifest)
    assert sorted(serials) == sorted(row["Serial"] for row in manifest)


@pytest.mark.django_db
def test_the_bulk_zip_reads_each_pdf_only_as_it_is_sent(client_for, people, issued, monkeypatch):
    from certificates import exports

    opened = []
    real_chunks = exports._stored_chunks

    def tracking_chunks(storage, name):
        opened.append(name)
        yield from real_chunks(storage, name)

    monkeypatch.setattr(exports, "_stored_chunks", tracking_chunks)
    response = client_for(people["auditor"]).get(f"{LIST_URL}certificates.zip")
    opened_when_sent = [len(opened) for _ in response.streaming_content]
    # Each file was opened at its own point in the stream, after earlier files had been sent.
    assert opened_when_sent[0] <= 1
    assert set(range(1, len(issued) + 1)) <= set(opened_when_sent)


# Revocation ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [
        ({"reason": "Sat by someone else"}, "Choose what kind of reason it is"),
        (
            {"reason": "Sat by someone else", "category": "rests_on_revoked"},
            "Choose one of the kinds of reason listed",
        ),
        ({"reason": "Sat by someone else", "category": "made-up"}, "Choose one of the kinds"),
    ],
)
def test_a_revocation_needs_a_kind_of_reason_an_auditor_may_choose(
    client_for, people, issued, data, message
):
    url = reverse("certificates:auditor_revoke", args=[issued["oscar"].serial])
    response = client_for(people["auditor"]).post(url, data)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert 'href="#id_category_0"' in page and 'id="id_category_0"' in page
    assert Certificate.objects.get(pk=issued["oscar"].pk).status == "valid"


@pytest.mark.django_db
def test_the_revoke_form_offers_the_kinds_and_records_the_one_chosen(client_for, people, issued):
    client = client_for(people["auditor"])
    url = reverse("certificates:auditor_revoke", args=[issued["oscar"].serial])
    page = client.get(url).content.decode()
    for label in (
        "Issued in error",
        "The assessment was not the holder&#x27;s own work",
        "The policy it was assessed against was withdrawn",
        "Another reason",
    ):
        assert label in page
    assert "A certificate it rests on was revoked" not in page
    client.post(url, {"reason": "Wrong person", "category": "issued_in_error"})
    event = Certificate.objects.get(pk=issued["oscar"].pk).events.get(to_status="revoked")
    assert (event.reason, event.reason_category) == ("Wrong person", "issued_in_error")
    assert "Issued in error: Wrong person" in client.get(url).content.decode()


@pytest.mark.django_db
def test_an_auditor_revokes_through_the_form_and_it_is_logged(client_for, people, issued):
    client = client_for(people["auditor"])
    url = reverse("certificates:auditor_revoke", args=[issued["oscar"].serial])
    page = client.get(url).content.decode()
    assert (
        "Revoke this certificate" in page and "Issued: " in page
    )  # the history shows the issue event
    assert "Nobody has downloaded this certificate yet" in page
    client.get(reverse("certificates:download", args=[issued["oscar"].serial]))
    assert '<td class="govuk-table__cell">Ada Auditor</td>' in client.get(url).content.decode()

    response = client.post(
        url, {"reason": "Assessment sat by someone else", "category": "not_holders_own"}
    )
    assert response.status_code == 302 and response.url == LIST_URL
    certificate = Certificate.objects.get(pk=issued["oscar"].pk)
    assert certificate.status == "revoked"
    assert certificate.events.get(to_status="revoked").actor == people["auditor"].user
    assert AuditEvent.objects.filter(
        target_id=str(certificate.pk), action="certificate.revoke", actor_name="Ada Auditor"
    ).exists()
    assert "has been revoked" in client.get(LIST_URL).content.decode()


@pytest.mark.django_db
def test_revoking_without_a_reason_shows_an_error_and_changes_nothing(client_for, people, issued):
    client = client_for(people["auditor"])
    url = reverse("certificates:auditor_revoke", args=[issued["oscar"].serial])
    response = client.post(url, {"reason": "   ", "category": "other"})
    page = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_reason">Enter why you are revoking this certificate</a>' in page
    too_long = client.post(url, {"reason": "x" * 2001, "category": "other"})
    assert too_long.status_code == 400 and "2000 characters or fewer" in too_long.content.decode()
    assert "x" * 2001 in too_long.content.decode()  # what they typed is kept
    assert Certificate.objects.get(pk=issued["oscar"].pk).status == "valid"
    assert not AuditEvent.objects.filter(action="certificate.revoke").exists()


@pytest.mark.django_db
def test_revoking_twice_is_refused_with_a_message(client_for, people, issued):
    certificate_revoke(
        certificate=issued["oscar"],
        by=people["auditor"].user,
        reason="Fraud",
        category="not_holders_own",
    )
    response = client_for(people["auditor"]).post(
        reverse("certificates:auditor_revoke", args=[issued["oscar"].serial]),
        {"reason": "Again", "category": "other"},
    )
    assert response.status_code == 400
    assert "already been revoked" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_serial_is_a_404(client_for, people, issued):
    assert (
        client_for(people["auditor"])
        .get(reverse("certificates:auditor_revoke", args=["1999-000001"]))
        .status_code
        == 404
    )
