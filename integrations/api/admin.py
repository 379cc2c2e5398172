"""The administrator's page of API clients: who they are, which cabinets and scopes, from
where, how fast; the token is shown once (on creation and on rotation) and only its prefix is
listed afterwards. Revoking stops the token at once and for good (a new client is made
instead)."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from integrations.models import ApiClient

from ..admin_shown_once import ShownOnceAdmin


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=ApiClient.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("What the client may do: read appeals, handle them, receive webhooks."),
    )

    class Meta:
        model = ApiClient
        fields = ("name", "cabinets", "acts_as", "scopes", "allowed_ips", "rate_limit", "is_active")
        widgets = {"allowed_ips": forms.Textarea(attrs={"rows": 3})}

    def clean_scopes(self):
        chosen = set(self.cleaned_data["scopes"])
        return [value for value in ApiClient.Scope.values if value in chosen]


@admin.register(ApiClient)
class ApiClientAdmin(ShownOnceAdmin):
    shown_once_title = _("New API tokens")
    shown_once_label = _("Token")
    shown_once_note = _(
        "Copy each token now: it is shown only on this page, once, and cannot be read again. "
        "Only its beginning is kept, to tell tokens apart."
    )

    form = ApiClientForm
    list_display = (
        "name",
        "cabinets_list",
        "scopes_list",
        "token_prefix",
        "is_active",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("is_active",)
    search_fields = ("name", "token_prefix")
    filter_horizontal = ("cabinets",)
    autocomplete_fields = ("acts_as",)
    readonly_fields = ("token_prefix", "created_at", "rotated_at", "revoked_at", "last_used_at")
    actions = ("rotate_token", "revoke")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("cabinets")

    @admin.display(description=_("cabinets"))
    def cabinets_list(self, obj):
        return ", ".join(c.code for c in obj.cabinets.all())

    @admin.display(description=_("scopes"))
    def scopes_list(self, obj):
        labels = dict(ApiClient.Scope.choices)
        return ", ".join(str(labels.get(s, s)) for s in obj.scopes or [])

    def issue(self, obj):
        return obj.new_token()

    @admin.action(description=_("Rotate the token (the old one stops working)"))
    def rotate_token(self, request, queryset):
        tokens = []
        for client in queryset.filter(revoked_at=None):
            token = client.new_token()
            client.save(update_fields=["token_prefix", "token_hash", "rotated_at"])
            tokens.append((client, token))
        if tokens:
            return self.shown_once(request, tokens)
        return None

    @admin.action(description=_("Revoke (the token stops working for good)"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at=None).update(revoked_at=timezone.now(), is_active=False)
        self.message_user(
            request,
            ngettext("%(n)d client revoked.", "%(n)d clients revoked.", count) % {"n": count},
            messages.SUCCESS,
        )
