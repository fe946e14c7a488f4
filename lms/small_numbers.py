"""The small-numbers rule, for every report that can be narrowed: a figure about fewer than
``SMALL_NUMBER`` people is not shown, because with so few it could say how one person did. A
manager's insight always follows it; an organisation-wide report narrowed to a team follows it
too (quizzes and tracking both use it, so it lives at the bottom of the layers)."""

SMALL_NUMBER = 5
SUPPRESSED = f"Not shown: fewer than {SMALL_NUMBER} people"
SUPPRESSED_WHY = (
    f"To protect people's privacy, a figure about fewer than {SMALL_NUMBER} people is not shown: "
    "with so few, it could say how one person did."
)


def is_small(people):
    return people < SMALL_NUMBER
