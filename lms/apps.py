from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = "People and roles"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
