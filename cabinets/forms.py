from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from edem.accounts.models import DocumentKind
from edem.core.translated_forms import TranslatedFieldsMixin
from edem.geo.models import Territory

from .models import Cabinet, Publication
from .roles import Role

MAX_IMAGE_BYTES = 5 * 1024 * 1024


class PublicationForm(TranslatedFieldsMixin, forms.ModelForm):
    """A publication's text in every language of the portal: the title and the text are
    required in the default language only; an empty translation reads as the default one."""

    translated_fields = ("title", "summary", "body")
    publish = forms.BooleanField(
        label=_("Publish"),
        required=False,
        help_text=_("Leave unticked to keep it as a draft. A future time schedules it."),
    )

    class Meta:
        model = Publication
        fields = [
            "kind",
            "title",
            "summary",
            "body",
            "image",
            "image_alt",
            "territory",
            "published_at",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 14}),
            "published_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
        help_texts = {
            "body": _("Markdown: **bold**, *italic*, lists, links. HTML is not allowed."),
            "image_alt": _("What the image shows, for people who cannot see it."),
            "published_at": _("Empty: now, when you publish."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["published_at"].required = False
        if self.instance.pk:
            self.fields["publish"].initial = self.instance.status == Publication.Status.PUBLISHED

    @property
    def plain_fields(self):
        """The fields that are not a language's column of a translated one."""
        return [name for name in self._meta.fields if name not in self.translated_fields]

    def columns(self):
        """Each language's column of the translated fields, as the service sets them
        (``title_ru``, ``title_uk``, ...): what ``_post_clean`` wrote into the instance."""
        return {
            f"{name}_{code}": getattr(self.instance, f"{name}_{code}")
            for name in self.translated_fields
            for code in self.by_language(name)
        }

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and getattr(image, "size", 0) > MAX_IMAGE_BYTES:
            raise ValidationError(_("The image is larger than 5 MB."))
        return image

    def clean(self):
        data = super().clean()
        if data.get("image") and not data.get("image_alt"):
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        return data


class PublicationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    cabinet = forms.ModelChoiceField(
        label=_("Authority"),
        queryset=Cabinet.objects.active(),
        required=False,
        to_field_name="code",
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=Territory.objects.all(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All"))] + list(Publication.Kind.choices), required=False
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("E-mail or name"),
        min_length=3,
        max_length=150,
        help_text=_(
            "At least three characters: part of the e-mail address, the surname or the full name."
        ),
    )


class ResidentVerificationForm(forms.Form):
    """What the registrar saw: the kind of identity document and its series and number. The
    number is kept only as a keyed hash (R18)."""

    document_kind = forms.ChoiceField(
        label=_("Identity document seen"), choices=[("", "—"), *DocumentKind.choices]
    )
    document_number = forms.CharField(
        label=_("Series and number"),
        max_length=100,
        help_text=_(
            "Not stored: only a keyed hash is kept, to recognise the same document on another "
            "account or on a paper ballot."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    confirmed = forms.BooleanField(
        label=_(
            "I saw the original document and the person in front of me is the one it was issued to."
        ),
        error_messages={"required": _("Confirm that you saw the original document.")},
    )

    def clean_document_number(self):
        number = self.cleaned_data["document_number"]
        if not any(ch.isalnum() for ch in number):
            raise ValidationError(_("Enter the series and number of the document you saw."))
        return number


class InviteForm(forms.Form):
    """Who is invited and in which role; the cabinet comes from the page (the service
    cabinet) or is chosen (the admin, ``InviteAdminForm``)."""

    email = forms.EmailField(label=_("E-mail address"))
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    patronymic = forms.CharField(label=_("Patronymic (if any)"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    position = forms.CharField(
        label=_("Position"),
        max_length=200,
        required=False,
        help_text=_("As printed under a signature."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    """The invited person's new password, typed twice, checked against the site's rules."""

    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first and self.invitation is not None:
            probe = get_user_model()(
                email=self.invitation.email,
                last_name=self.invitation.last_name,
                first_name=self.invitation.first_name,
            )
            try:
                password_validation.validate_password(first, user=probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return data
