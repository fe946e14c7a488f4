"""Reading and checking an HR file of people, before anything is saved.

Pure apart from the one question it must ask the database (which e-mail addresses belong to
other accounts), so every rule about a bad row is tested without a web request."""

import csv
import datetime
import io
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

COLUMNS = [
    "employee_number",
    "first_name",
    "last_name",
    "email",
    "team",
    "job_title",
    "line_manager_employee_number",
    "start_date",
]
# Columns a file may leave out: an old file without them changes nothing they hold. A blank
# organisation leaves the person's as it is; a named one must be an organisation held here (by its
# code or its name), because it decides whose policies the person is asked about.
OPTIONAL_COLUMNS = ["organisation"]
REQUIRED = [
    "employee_number",
    "first_name",
    "last_name",
    "email",
    "team",
    "job_title",
    "start_date",
]
COLUMN_NAMES = {
    "employee_number": "employee number",
    "first_name": "first name",
    "last_name": "last name",
    "email": "email",
    "team": "team",
    "job_title": "job title",
    "line_manager_employee_number": "line manager's employee number",
    "start_date": "start date",
    "organisation": "organisation",
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _max_lengths():
    """The longest value each column may hold, read from the fields it is saved into, so that the
    database never refuses a row the check let through. The e-mail address also becomes the
    username of a new account, so the shorter of the two applies."""
    from .models import Person, Team

    user = get_user_model()._meta
    return {
        "employee_number": Person._meta.get_field("employee_number").max_length,
        "first_name": user.get_field("first_name").max_length,
        "last_name": user.get_field("last_name").max_length,
        "email": min(
            user.get_field("email").max_length, user.get_field(user.model.USERNAME_FIELD).max_length
        ),
        "team": Team._meta.get_field("name").max_length,
        "job_title": Person._meta.get_field("job_title").max_length,
        "line_manager_employee_number": Person._meta.get_field("employee_number").max_length,
    }


def _has_control_character(value):
    return any(unicodedata.category(character) == "Cc" for character in value)


@dataclass(frozen=True)
class HrRow:
    line: int
    employee_number: str
    first_name: str
    last_name: str
    email: str
    team: str
    job_title: str
    line_manager_employee_number: str
    start_date: datetime.date
    organisation: str = ""  # the code of a known organisation, or "" to leave it as it is


@dataclass(frozen=True)
class RowError:
    line: int | None  # None for a problem with the whole file
    message: str

    def __str__(self):
        return f"Line {self.line}: {self.message}" if self.line else self.message


def hr_file_decode(*, data):
    """The text of an uploaded file, or a RowError saying why it cannot be read."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, RowError(
            None, "The file is not a UTF-8 CSV file. Save it from your spreadsheet as “CSV UTF-8”."
        )


def _parse_date(value):
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    return None


def hr_rows_check(*, text, emails_taken_by_others=lambda emails: {}, organisation_codes=None):
    """Every row of the file, checked as a whole: ``(rows, errors)``.

    ``emails_taken_by_others(emails)`` returns, for the e-mail addresses given, those used by an
    account that is not the person with the row's employee number, as ``{email: employee_number}``.
    The file is the whole organisation: a line manager must be a row of the same file.
    ``organisation_codes`` maps each known organisation's code and name (lower case) to its code;
    an organisation the file names must be one of them."""
    organisation_codes = organisation_codes or {}
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing_columns = [name for name in COLUMNS if name not in header]
    if not header:
        return [], [RowError(None, "The file is empty.")]
    if missing_columns:
        return [], [
            RowError(
                None,
                "The file has no column for: "
                + ", ".join(missing_columns)
                + ". The first row must name the columns: "
                + ",".join(COLUMNS)
                + ".",
            )
        ]
    reader.fieldnames = header
    errors, rows, seen_numbers, seen_emails = [], [], {}, {}
    max_lengths = _max_lengths()
    try:
        for raw in reader:
            line = reader.line_num
            values = {name: (raw.get(name) or "").strip() for name in COLUMNS + OPTIONAL_COLUMNS}
            if not any(values.values()):
                continue
            row_errors = [
                f"the {COLUMN_NAMES[name]} is missing" for name in REQUIRED if not values[name]
            ]
            for name in COLUMNS + OPTIONAL_COLUMNS:
                if _has_control_character(values[name]):
                    # A NUL byte, a line break inside a quoted value or another invisible character:
                    # the database refuses some and every screen shows them wrongly.
                    row_errors.append(
                        f"the {COLUMN_NAMES[name]} contains a control character (such as a line "
                        "break, a tab or a NUL byte)"
                    )
                    values[name] = ""
                elif name in max_lengths and len(values[name]) > max_lengths[name]:
                    row_errors.append(
                        f"the {COLUMN_NAMES[name]} is longer than {max_lengths[name]} characters "
                        f"({len(values[name])})"
                    )
            start_date = None
            if values["start_date"]:
                start_date = _parse_date(values["start_date"])
                if start_date is None:
                    row_errors.append(
                        f"the start date “{values['start_date']}” is not a date (use YYYY-MM-DD or DD/MM/YYYY)"
                    )
            if values["organisation"]:
                code = organisation_codes.get(values["organisation"].lower())
                if code is None:
                    row_errors.append(
                        f"the organisation “{values['organisation']}” is not one held here "
                        f"(known: {', '.join(sorted(set(organisation_codes.values()))) or 'none'})"
                    )
                values["organisation"] = code or ""
            if values["email"]:
                try:
                    validate_email(values["email"])
                except ValidationError:
                    row_errors.append(f"the email “{values['email']}” is not a valid email address")
            number = values["employee_number"]
            if number:
                if number in seen_numbers:
                    row_errors.append(
                        f"the employee number {number} is already used on line {seen_numbers[number]}"
                    )
                else:
                    seen_numbers[number] = line
            email = values["email"].lower()
            if email:
                if email in seen_emails:
                    row_errors.append(
                        f"the email {values['email']} is already used on line {seen_emails[email]}"
                    )
                else:
                    seen_emails[email] = line
            errors += [RowError(line, message) for message in row_errors]
            if not row_errors:
                rows.append(
                    HrRow(line=line, **{**values, "email": email, "start_date": start_date})
                )
    except csv.Error as error:
        return [], [RowError(reader.line_num, f"the file cannot be read as CSV ({error})")]
    if not rows and not errors:
        return [], [RowError(None, "The file has no people in it.")]
    errors += _manager_errors(rows=rows, all_numbers=seen_numbers)
    taken = emails_taken_by_others({row.email: row.employee_number for row in rows})
    errors += [
        RowError(row.line, f"the email {row.email} belongs to another account")
        for row in rows
        if row.email in taken
    ]
    return rows, sorted(errors, key=lambda error: (error.line or 0, error.message))


def _manager_errors(*, rows, all_numbers):
    errors = []
    manager_of = {row.employee_number: row.line_manager_employee_number for row in rows}
    line_of = {row.employee_number: row.line for row in rows}
    for row in rows:
        manager = row.line_manager_employee_number
        if manager and manager not in all_numbers:
            errors.append(RowError(row.line, f"the line manager {manager} is not in the file"))
    reported = set()
    for row in rows:
        chain, current = [], row.employee_number
        while current and current in manager_of and current not in chain:
            chain.append(current)
            current = manager_of[current]
        if current and current in chain:
            loop = chain[chain.index(current) :]
            for number in loop:
                if number not in reported:
                    reported.add(number)
                    path = " → ".join(
                        loop[loop.index(number) :] + loop[: loop.index(number)] + [number]
                    )
                    errors.append(
                        RowError(line_of[number], f"the line manager chain loops: {path}")
                    )
    return errors
