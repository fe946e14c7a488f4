from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self):
        from quizzes.handoffs import attempt_passed

        from .handoffs import attempt_passed_received

        attempt_passed.connect(attempt_passed_received, dispatch_uid="certificates.attempt_passed")
