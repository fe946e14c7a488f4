from allauth.account.forms import LoginForm as AllauthLoginForm

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model


class LoginForm(AllauthLoginForm):
    """allauth's login form, posted as ``username`` (what people, password managers and our
    templates call it), and refusing passwords when the organisation has turned them off."""

    def add_prefix(self, field_name):
        return "username" if field_name == "login" else super().add_prefix(field_name)

    def clean(self):
        if not settings.LOCAL_PASSWORD_LOGIN and not self._is_break_glass_account():
            raise forms.ValidationError(
                "Sign in with your organisation's Microsoft account: passwords are turned off for this service."
            )
        return super().clean()

    def _is_break_glass_account(self):
        username = (self.data.get("username") or "").strip()
        return get_user_model().objects.filter(username=username, is_superuser=True, is_active=True).exists()
