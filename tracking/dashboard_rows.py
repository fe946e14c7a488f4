"""The rows of the manager's dashboard table as HTML: a page of up to 100 people, each with a
cell per module, drawn in Python (``lms/html_parts.py``). The template language took 14.5 ms
over 102 rows, this 1.2 ms: the dashboard for a line of 155 went from 70 to 54 ms in process
(issue 18's dashboard figures).

A row is what ``tracking.dashboard.LineQuery.rows`` builds: the person, their team's name and one
``status.Cell`` per module. A manager sees statuses and dates here, never answers."""

from django.urls import reverse

from lms.html_parts import escape, safe_part

# Any id: the address is worked out once and each row's id put where this one was.
_ANY_ID = 2_147_483_647


def reporting_line_rows_html(rows):
    """The ``<tr>`` of each row, in order."""
    before, after = reverse("team_member", args=[_ANY_ID]).split(str(_ANY_ID))
    # The page's cells are shared where their facts are (``stored_grid``): each drawn once.
    drawn = {}
    return safe_part("".join(_row(row, before, after, drawn) for row in rows))


def _row(row, before, after, drawn):
    person = row["person"]
    return (
        '<tr class="govuk-table__row">'
        f'<th scope="row" class="govuk-table__header"><a class="govuk-link" '
        f'href="{escape(before)}{int(person.pk)}{escape(after)}">{escape(person.full_name)}</a></th>'
        f'<td class="govuk-table__cell" data-label="Team">{escape(row["team_name"])}</td>'
        + "".join(_cell_drawn(cell, drawn) for cell in row["cells"])
        + "</tr>"
    )


def _cell_drawn(cell, drawn):
    html = drawn.get(id(cell))
    if html is None:
        html = drawn[id(cell)] = _cell(cell)
    return html


def _cell(cell):
    return (
        f'<td class="govuk-table__cell" data-label="{escape(cell.module.title)}" '
        f'data-status="{escape(cell.status)}"><strong class="govuk-tag '
        f'govuk-tag--{escape(cell.tag_colour)}">{escape(cell.label)}</strong></td>'
    )
