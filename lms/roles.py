"""The roles, as Django groups. Their permissions are set by ``people.services.role_groups_sync``
(model permissions) and ``modules.services.roles_sync`` (the page tree and the review workflow)."""

STAFF = "Staff"
LINE_MANAGERS = "Line managers"
AUTHORS = "L&D authors"
AUDITORS = "Auditors"
# Four eyes: authors write, reviewers approve what someone else wrote. Nobody in either role can
# publish directly; approving the review publishes. A person may hold both roles and still never
# approves their own work (``modules.models.IndependentReviewTask``).
REVIEWERS = "L&D reviewers"

ALL_ROLES = (STAFF, LINE_MANAGERS, AUTHORS, REVIEWERS, AUDITORS)

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
# No "publish": a module goes live only when a reviewer approves it.
AUTHOR_PAGE_PERMISSIONS = ("add", "change", "lock", "unlock")
# Model permissions an author holds, by action. "publish" is deliberately missing (see above).
AUTHOR_MODEL_ACTIONS = ("add", "change", "delete", "view", "choose", "lock", "unlock")
# Reviewers read what they review; the workflow opens the editor to them while it waits for them.
REVIEWER_MODEL_ACTIONS = ("view", "choose")

# L&D authors decide who must complete which module, by when.
AUTHOR_MODEL_PERMISSIONS["tracking"] = ["assignment"]

# Content that goes through the L&D review (drafts, revisions, locking and the workflow), by app
# label and model name: everything an author writes that learners are taught or asked.
REVIEWED_SNIPPET_MODELS = {
    "modules": ["policydocument", "policyclause"],
    "quizzes": [
        "quiz",
        "singlechoicequestion",
        "truefalsequestion",
        "multipleresponsequestion",
        "orderingquestion",
        "scenariojudgementquestion",
    ],
}
