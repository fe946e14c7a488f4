"""The four roles, as Django groups. Their permissions are set by ``lms.services.roles_sync``."""

STAFF = "Staff"
LINE_MANAGERS = "Line managers"
AUTHORS = "L&D authors"
AUDITORS = "Auditors"

ALL_ROLES = (STAFF, LINE_MANAGERS, AUTHORS, AUDITORS)

# Model permissions an L&D author needs to write modules, quizzes and policies, and nothing else.
AUTHOR_MODEL_PERMISSIONS = {
    "modules": ["policydocument", "policyclause"],
    "quizzes": [
        "quiz",
        "singlechoicequestion",
        "truefalsequestion",
        "option",
        "multipleresponsequestion",
        "orderingquestion",
        "scenariojudgementquestion",
        "topicdraw",
    ],
    "wagtailimages": ["image"],
    "wagtaildocs": ["document"],
}
AUTHOR_PAGE_PERMISSIONS = ("add", "change", "publish", "lock", "unlock")

# L&D authors decide who must complete which module, by when.
AUTHOR_MODEL_PERMISSIONS["tracking"] = ["assignment"]
