"""Wagtail admin menu items shown by permission rather than by Wagtail's own rules."""

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
