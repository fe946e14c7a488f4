"""The preview of an HR import as plain text lines, for the command line."""


def hr_plan_lines(*, plan):
    lines = [
        f"Preview: {len(plan.adds)} to add, {len(plan.changes)} to change, "
        f"{plan.unchanged} unchanged, {len(plan.leavers)} to mark as left, "
        f"{len(plan.role_changes)} role change(s)."
    ]
    if not plan.full_extract:
        lines.append(
            "Not declared a full extract: nobody is marked as left (use --full-extract for a file "
            "of everyone in the organisation)."
        )
    sections = (
        ("Add", plan.adds),
        ("Change", plan.changes),
        ("Mark as left", plan.leavers),
        ("Role change", plan.role_changes),
    )
    for title, people in sections:
        for person in people:
            details = f" ({'; '.join(person.details)})" if person.details else ""
            lines.append(f"  {title}: {person.employee_number} {person.name}{details}")
    return lines
