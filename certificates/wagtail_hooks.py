from wagtail import hooks

from .home_panels import base_competence_gap_panel_for


@hooks.register("construct_homepage_panels")
def base_competence_gap_panel(request, panels):
    panel = base_competence_gap_panel_for(request.user)
    if panel is not None:
        panels.append(panel)
