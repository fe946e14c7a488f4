from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self):
        from modules.handoffs import content_approved

        from .handoffs import content_approved_received

        content_approved.connect(content_approved_received, dispatch_uid="quizzes.content_approved")
