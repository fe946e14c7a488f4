"""The HR import's optional organisation column: it decides whose policies a person is asked about,
so it must name an organisation held here; a file without it, or a blank value, changes nothing."""

import pytest

from people.hr_csv import hr_rows_check
from people.models import Person
from people.services import PeopleImportError, people_import, people_import_preview
from tests.factories import OrganisationFactory

HEADER = (
    "employee_number,first_name,last_name,email,team,job_title,"
    "line_manager_employee_number,start_date,organisation\n"
)


def _file(*organisations):
    return (
        HEADER
        + "".join(
            f"E{number},Name{number},Worker,e{number}@example.org,Team,Adviser,,2020-01-01,{org}\n"
            for number, org in enumerate(organisations, start=1)
        )
    ).encode()


def test_an_organisation_not_held_here_is_a_row_error_naming_the_known_ones():
    text = _file("Cafcass", "Narnia Council").decode()
    rows, errors = hr_rows_check(
        text=text, organisation_codes={"cafcass": "cafcass", "cafcass ltd": "cafcass"}
    )
    assert [str(error) for error in errors] == [
        "Line 3: the organisation “Narnia Council” is not one held here (known: cafcass)"
    ]
    assert rows[0].organisation == "cafcass"


@pytest.mark.django_db
def test_the_import_sets_each_persons_organisation_by_code_or_name(role_groups):
    cafcass = OrganisationFactory(code="cafcass", name="Cafcass")
    herts = OrganisationFactory(code="hertfordshire", name="Hertfordshire County Council")

    people_import(data=_file("cafcass", "HERTFORDSHIRE COUNTY COUNCIL", ""))

    by_number = {person.employee_number: person for person in Person.objects.all()}
    assert by_number["E1"].organisation == cafcass
    assert by_number["E2"].organisation == herts
    assert by_number["E3"].organisation is None


@pytest.mark.django_db
def test_a_blank_or_missing_organisation_leaves_the_persons_as_it_is(role_groups):
    herts = OrganisationFactory(code="hertfordshire", name="Hertfordshire County Council")
    people_import(data=_file("hertfordshire"))
    people_import(data=_file(""))
    old_style = _file("x").decode().replace(",organisation", "").replace(",x\n", "\n")
    assert people_import_preview(data=old_style.encode()).changes == ()
    people_import(data=old_style.encode())
    assert Person.objects.get(employee_number="E1").organisation == herts


@pytest.mark.django_db
def test_an_unknown_organisation_saves_nothing(role_groups):
    OrganisationFactory(code="cafcass", name="Cafcass")
    with pytest.raises(PeopleImportError):
        people_import(data=_file("cafcass", "nowhere"))
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_change_of_organisation_shows_in_the_preview(role_groups):
    OrganisationFactory(code="cafcass", name="Cafcass")
    OrganisationFactory(code="hertfordshire", name="Hertfordshire County Council")
    people_import(data=_file("cafcass"))
    plan = people_import_preview(data=_file("hertfordshire"))
    assert [change.details for change in plan.changes] == [
        ("organisation: cafcass → hertfordshire",)
    ]
