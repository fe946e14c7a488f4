from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People and roles"

    def ready(self):
        # allauth tells of a wrong two-factor code only by this signal.
        from allauth.mfa.signals import authentication_failed

        from .sso import audit_second_factor_failed

        authentication_failed.connect(
            audit_second_factor_failed, dispatch_uid="people.audit_second_factor_failed"
        )
