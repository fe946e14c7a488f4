"""How a person's name is shown everywhere: on pages, in exports, on certificates and in the
audit trail. One rule, so that a name reads the same in each."""


def display_name(*, first_name, last_name, username=""):
    """Given and family name; the username when both are blank."""
    return f"{first_name or ''} {last_name or ''}".strip() or username


def user_display_name(user):
    return display_name(
        first_name=user.first_name, last_name=user.last_name, username=user.get_username()
    )
