"""Wagtail admin menu items shown by permission rather than by Wagtail's own rules, and the
wiring every app's reports share."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


def reports_register(*, reports, url_prefix, permission):
    """Put report views in the Reports menu for holders of ``permission``: each of ``reports``
    is (slug, title, view class, icon, menu order); URL names are ``<url_prefix>_<slug>`` and
    ``<url_prefix>_<slug>_results``."""

    def urls():
        found = []
        for slug, _title, view, _icon, _order in reports:
            found += [
                path(f"reports/{slug}/", view.as_view(), name=f"{url_prefix}_{slug}"),
                path(
                    f"reports/{slug}/results/",
                    view.as_view(results_only=True),
                    name=f"{url_prefix}_{slug}_results",
                ),
            ]
        return found

    def menu_item(slug, title, icon, order):
        return lambda: PermissionMenuItem(
            title,
            reverse(f"{url_prefix}_{slug}"),
            name=f"{url_prefix.removesuffix('_report')}-{slug}",
            icon_name=icon,
            order=order,
            permission=permission,
        )

    hooks.register("register_admin_urls", urls)
    for slug, title, _view, icon, order in reports:
        hooks.register("register_reports_menu_item", menu_item(slug, title, icon, order))
