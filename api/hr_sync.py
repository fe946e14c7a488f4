"""The HR sync's rows, written as the HR file the CSV import reads, so that one set of rules
(people/hr_csv.py) checks both and the import's all-or-nothing save applies to both."""

import csv
import io

from people.hr_csv import COLUMNS, OPTIONAL_COLUMNS


def hr_rows_as_csv(*, rows):
    """``(CSV bytes, {line of the file: position of the row})``. A value holding a line break
    spans several lines of the file, so each row's last line is counted as the CSV reader counts
    it, and the import's errors can name the row they are about."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS + OPTIONAL_COLUMNS)
    line, row_at_line = 1, {}
    for position, row in enumerate(rows):
        before = text.tell()
        writer.writerow([row.get(name, "") for name in COLUMNS + OPTIONAL_COLUMNS])
        text.seek(before)
        line += text.read().count("\n")
        row_at_line[line] = position
    return text.getvalue().encode(), row_at_line


def hr_errors_by_row(*, errors, row_at_line):
    """The import's errors, each naming the row's position instead of a line of the file."""
    return [
        {"row": row_at_line.get(error.line) if error.line else None, "message": error.message}
        for error in errors
    ]
