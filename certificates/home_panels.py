"""The admin home's panel for L&D on who can never be issued base competence: their
organisation's policies are not asked about, or too little, in a base-competence module's quiz."""

from wagtail.admin.ui.components import Component

from quizzes.models import Quiz

from .selectors import base_competence_gaps


class BaseCompetenceGapPanel(Component):
    name = "base_competence_gaps"
    order = 70  # under "Write a module" and "Policies to review"
    template_name = "certificates/admin/home_base_competence_gaps_panel.html"

    def __init__(self, *, gaps):
        self.gaps = gaps

    def get_context_data(self, parent_context=None):
        return {"gaps": self.gaps}


def base_competence_gap_panel_for(user):
    """The panel, for someone who may edit quizzes, when some organisation's staff cannot reach
    base competence; else None."""
    if not user.has_perm(f"{Quiz._meta.app_label}.change_{Quiz._meta.model_name}"):
        return None
    gaps = base_competence_gaps()
    if not gaps:
        return None
    return BaseCompetenceGapPanel(gaps=gaps)
