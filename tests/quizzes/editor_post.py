"""The quiz edit screen's POST of its question editor (``quizzes.kinds.editor``), as the browser
sends it, for tests that save questions through the real admin view."""

PREFIX = "question_editor"


def _fields(prefix, value, data):
    for name, field in value.items():
        key = f"{prefix}-{name}"
        if isinstance(field, list):  # a list block: options, steps or actions
            data[f"{key}-count"] = len(field)
            for index, item in enumerate(field):
                data[f"{key}-{index}-deleted"] = ""
                data[f"{key}-{index}-order"] = index
                data[f"{key}-{index}-id"] = item.get("id") or ""
                _fields(f"{key}-{index}-value", item["value"], data)
        elif field is True:
            data[key] = "on"
        elif field is False:
            pass  # an unticked checkbox is not posted at all
        else:
            data[key] = "" if field is None else field


def question_editor_post(items):
    """The editor's POST for ``items``: dicts of type, id (None for a new question) and value,
    as ``quizzes.selectors.quiz_questions_editor_raw`` gives them."""
    data = {f"{PREFIX}-count": len(items)}
    for index, item in enumerate(items):
        data[f"{PREFIX}-{index}-type"] = item["type"]
        data[f"{PREFIX}-{index}-deleted"] = ""
        data[f"{PREFIX}-{index}-order"] = index
        data[f"{PREFIX}-{index}-id"] = item["id"] or ""
        _fields(f"{PREFIX}-{index}-value", item["value"], data)
    return data
