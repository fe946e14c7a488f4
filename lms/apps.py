from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = "Platform"

    def ready(self):
        from django_tasks_db.compat import task_finished

        from . import checks  # noqa: F401  (registers the system checks)
        from .audit import wagtail_exports_audit
        from .background import task_finished_receiver
        from .exports import wagtail_exports_guard

        task_finished.connect(task_finished_receiver, dispatch_uid="lms.background.task_finished")
        wagtail_exports_guard()
        wagtail_exports_audit()
