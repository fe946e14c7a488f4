from allauth.account.forms import LoginForm as AllauthLoginForm

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label="HR file (CSV)",
        help_text="One row per person: employee_number, first_name, last_name, email, team, job_title, "
        "line_manager_employee_number, start_date; optionally organisation (the code or name of "
        "an organisation held here: it decides whose policies the person is asked about).",
    )

    full_extract = forms.BooleanField(
        label="This file lists everyone in the organisation (a full extract)",
        required=False,
        help_text="Only then are the people missing from the file marked as left. Leave it "
        "unticked for a file of new starters or changes.",
    )

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The file must be a CSV file (ending .csv).")
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file must be smaller than {filesizeformat(self.max_bytes)}."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload


class PeopleImportConfirmForm(forms.Form):
    """Confirms the preview whose digest it carries; a large number of leavers needs the box."""

    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm_leavers = forms.BooleanField(required=False)


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
        return (
            get_user_model()
            .objects.filter(username=username, is_superuser=True, is_active=True)
            .exists()
        )
