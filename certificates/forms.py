"""Forms for the auditor's workspace and the public file check. Validation only; the work is in
services and selectors."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from modules.models import ModulePage
from people.models import Team
from people.selectors import team_named

from .codes import code_is_well_formed
from .models import AUDITOR_REVOCATION_REASONS
from .selectors import CERTIFIES_BASE_COMPETENCE, FILTER_STATUSES

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%Y-%m-%d"]
DATE_ERROR = "Enter a real date, for example 31/3/2026"
PDF_MAGIC = b"%PDF-"
# A signed badge is a few kilobytes; anything far bigger is not one of ours.
BADGE_MAX_CHARACTERS = 64_000


class CertificateFilterForm(forms.Form):
    issued_from = forms.DateField(
        required=False,
        label="Issued from",
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": f"Issued from: {DATE_ERROR}"},
    )
    issued_to = forms.DateField(
        required=False,
        label="Issued to",
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": f"Issued to: {DATE_ERROR}"},
    )
    certifies = forms.ChoiceField(required=False, label="What it certifies")
    team = forms.CharField(
        required=False,
        label="Team",
        max_length=Team._meta.get_field("name").max_length,
        strip=True,
        help_text="Its name or part of it; its sub-teams are included",
        error_messages={"max_length": "Team: enter at most %(limit_value)d characters"},
    )
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "Any status"), *FILTER_STATUSES],
        error_messages={"invalid_choice": "Select a status from the list"},
    )
    person = forms.CharField(required=False, label="Person's name", max_length=100, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        modules = ModulePage.objects.order_by("title").values_list("pk", "title")
        self.fields["certifies"].choices = [
            ("", "Anything"),
            (CERTIFIES_BASE_COMPETENCE, "Base competence in social media"),
            *[(str(pk), f"Module: {title}") for pk, title in modules],
        ]
        self.fields["certifies"].error_messages["invalid_choice"] = (
            "Select what the certificate certifies from the list"
        )

    def clean_team(self):
        """The team named, found by its whole name or by the words of it typed. A drop-down of
        every team would put megabytes into the page in a large organisation, so the auditor
        types; when the words fit several teams, the error offers them (``team_suggestions``)."""
        typed = self.cleaned_data["team"]
        self.team_suggestions = []
        if not typed:
            return None
        if typed.isdigit() and not Team.objects.filter(name=typed).exists():
            # Links saved when this was a drop-down carry the team's id; the box then shows the
            # team's name, so what the list was narrowed to is always in view.
            saved_link_team = Team.objects.filter(pk=int(typed)).first()
            if saved_link_team is not None:
                return saved_link_team
        found = team_named(name=typed)
        if found.team is not None:
            return found.team
        self.team_suggestions = found.candidates
        if not found.candidates:
            raise forms.ValidationError(f"No team's name contains “{typed}”: check the spelling")
        if found.more:
            raise forms.ValidationError(
                f"More than {len(found.candidates)} teams' names contain “{typed}”: choose one of "
                "the first below, or type more of its name"
            )
        raise forms.ValidationError(
            f"More than one team's name contains “{typed}”: choose one below"
        )

    @property
    def team_shown(self):
        """What the team box shows: the chosen team's whole name once it is found."""
        team = getattr(self, "cleaned_data", {}).get("team")
        return team.name if team is not None else self["team"].value() or ""

    def clean(self):
        cleaned = super().clean()
        issued_from, issued_to = cleaned.get("issued_from"), cleaned.get("issued_to")
        if issued_from and issued_to and issued_to < issued_from:
            self.add_error("issued_to", "Issued to must be the same as or after issued from")
        return cleaned

    def selector_arguments(self):
        data = self.cleaned_data
        return {
            "issued_from": data.get("issued_from"),
            "issued_to": data.get("issued_to"),
            "certifies": data.get("certifies") or "",
            "team": data.get("team"),
            "status": data.get("status") or "",
            "person_name": data.get("person") or "",
        }


class RadiosLabelledByFirst(forms.RadioSelect):
    """Radios whose field "label" is the first radio, so that the error summary can link to it
    (Django's RadioSelect gives the group no id to link to)."""

    def id_for_label(self, id_, index="0"):
        return f"{id_}_{index}" if id_ else ""


class RevokeForm(forms.Form):
    category = forms.ChoiceField(
        label="What kind of reason is it?",
        help_text="Anyone who checks the certificate sees this and the date, not your own words.",
        choices=AUDITOR_REVOCATION_REASONS,
        widget=RadiosLabelledByFirst,
        error_messages={
            "required": "Choose what kind of reason it is",
            "invalid_choice": "Choose one of the kinds of reason listed",
        },
    )
    reason = forms.CharField(
        label="Why are you revoking this certificate?",
        help_text="This is recorded with your name in the certificate's history and the audit trail. "
        "It is not shown to the public.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        strip=True,
        error_messages={
            "required": "Enter why you are revoking this certificate",
            "max_length": "Reason must be 2000 characters or fewer",
        },
    )


class CertificateFileForm(forms.Form):
    file = forms.FileField(
        label="Upload a certificate PDF",
        error_messages={"required": "Select a PDF file", "empty": "The selected file is empty"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CERTIFICATE_CHECK_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The selected file must be smaller than {filesizeformat(limit)}"
            )
        upload.seek(0)
        if upload.read(len(PDF_MAGIC)) != PDF_MAGIC:
            raise forms.ValidationError("The selected file must be a PDF")
        upload.seek(0)
        return upload


class CertificateCodeForm(forms.Form):
    """A verification code typed from a printed certificate. Only its shape is checked here; the
    look-up (certificates.selectors.certificate_by_code) reads it loosely."""

    MALFORMED = (
        "Verification code must be the 32 letters and numbers printed on the certificate, "
        "or the 27 characters printed on an older one"
    )

    code = forms.CharField(
        label="Enter the verification code",
        max_length=100,
        strip=True,
        error_messages={"required": "Enter the verification code", "max_length": MALFORMED},
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not code_is_well_formed(code):
            raise forms.ValidationError(self.MALFORMED)
        return code


class BadgeCheckForm(forms.Form):
    """An Open Badge to check: its text pasted, or its .jwt file. Only size and presence are
    checked here; certificates.badges.badge_verify says whether it can be trusted."""

    credential = forms.CharField(
        label="Paste the badge",
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=BADGE_MAX_CHARACTERS,
        error_messages={
            "max_length": f"The pasted badge must be {BADGE_MAX_CHARACTERS} characters or fewer"
        },
    )
    file = forms.FileField(label="Or upload the badge file", required=False)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > BADGE_MAX_CHARACTERS:
            raise forms.ValidationError(
                f"The selected file must be smaller than {filesizeformat(BADGE_MAX_CHARACTERS)}"
            )
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                "The selected file must be a badge (.jwt), not another kind of file"
            ) from error

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("credential") and not cleaned.get("file"):
            self.add_error("credential", "Paste the badge, or upload its file")
        return cleaned

    def token(self):
        return self.cleaned_data.get("credential") or self.cleaned_data.get("file") or ""
