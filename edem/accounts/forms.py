from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupProfileForm(forms.Form):
    """Extra fields on allauth's sign-up form: the name 59-FZ asks of an appellant."""

    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    patronymic = forms.CharField(label=_("Patronymic (if any)"), max_length=150, required=False)

    def signup(self, request, user):
        user.last_name = self.cleaned_data["last_name"].strip()
        user.first_name = self.cleaned_data["first_name"].strip()
        user.patronymic = self.cleaned_data["patronymic"].strip()
        user.save(update_fields=["last_name", "first_name", "patronymic"])


class LanguageSelect(forms.Select):
    """Each language is named in itself ("Українська"), so its option says so in ``lang``:
    a screen reader pronounces it right, and the page is not "in two languages"."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = str(value)
        return option


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "last_name",
            "first_name",
            "patronymic",
            "postal_address",
            "phone",
            "language",
            "territory",
            "birth_date",
            "work_mail",
        ]
        widgets = {
            "postal_address": forms.Textarea(attrs={"rows": 3}),
            "language": LanguageSelect,
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "postal_address": _("Needed only if you want answers by post."),
            "territory": _("Where you live: some polls and budgets are open to residents only."),
            "work_mail": _(
                "How you are told of appeals that arrive in your queue or are assigned to you."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_name"].required = True
        self.fields["first_name"].required = True
        self.fields["territory"].queryset = self.fields["territory"].queryset.order_by("name")
        if not (self.instance and self.instance.is_cabinet_member):
            del self.fields["work_mail"]  # only officials get mail about new work
