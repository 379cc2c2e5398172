"""The webhooks in the admin: subscriptions (events as checkboxes, the secret shown once when
it is made or rotated) and the deliveries with every attempt's response, re-sendable."""

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy, ngettext

from ..admin_shown_once import ShownOnceAdmin
from ..models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from . import catalogue, services


class SubscriptionForm(forms.ModelForm):
    url = WebhookSubscription._meta.get_field("url").formfield(assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=catalogue.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Only events of the client's cabinets are sent: an appeal's cabinet, a "
            "consultation's cabinet."
        ),
    )

    class Meta:
        model = WebhookSubscription
        fields = ("client", "url", "description", "event_types", "is_active")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ShownOnceAdmin):
    shown_once_title = gettext_lazy("Signing secret")
    shown_once_label = gettext_lazy("secret")
    shown_once_detail_label = gettext_lazy("previous secret valid until")
    shown_once_note = gettext_lazy(
        "Copy each secret now and give it to the client's administrator: it is shown only "
        "once. The receiver checks every delivery's signature with it."
    )

    form = SubscriptionForm
    list_display = ("client", "url", "is_active", "events_count", "secret_rotated_at")
    list_filter = ("is_active", "client")
    search_fields = ("url", "description", "client__name")
    list_select_related = ("client",)
    readonly_fields = ("secret_rotated_at", "previous_secret_until", "created_at")
    actions = ("rotate_secret",)

    @admin.display(description=gettext_lazy("events"))
    def events_count(self, obj):
        return len(obj.event_types or [])

    def issue(self, obj):
        return services.issue_secret(obj)

    def shown_once_detail(self, obj):
        return obj.previous_secret_until

    @admin.action(
        description=gettext_lazy(
            "Rotate the secret (the previous one keeps signing for the grace period)"
        ),
        permissions=["change"],
    )
    def rotate_secret(self, request, queryset):
        items = []
        for subscription in queryset:
            secret = services.rotate_secret(subscription=subscription)
            subscription.refresh_from_db()
            items.append((subscription, secret))
        return self.shown_once(request, items)


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("number", "at", "status_code", "response_excerpt", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The webhooks' outbox, read-only: what went to whom, what the receiver answered."""

    list_display = (
        "created_at",
        "event_type",
        "client",
        "url",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "event_type", "subscription__client")
    search_fields = ("=uuid", "=event_id", "subscription__url", "last_error")
    list_select_related = ("subscription__client",)
    date_hierarchy = "created_at"
    fields = (
        "uuid",
        "event_id",
        "event_type",
        "subscription",
        "occurred_at",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
        "pretty_body",
    )
    readonly_fields = fields
    inlines = (AttemptInline,)
    actions = ("resend",)
    list_per_page = 50

    @admin.display(description=gettext_lazy("API client"), ordering="subscription__client__name")
    def client(self, obj):
        return obj.subscription.client

    @admin.display(description=gettext_lazy("URL"))
    def url(self, obj):
        return obj.subscription.url

    @admin.display(description=gettext_lazy("body"))
    def pretty_body(self, obj):
        try:
            text = json.dumps(json.loads(obj.body), ensure_ascii=False, indent=2)
        except ValueError:
            text = obj.body
        return format_html("<pre>{}</pre>", text)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Re-send the selected deliveries"), permissions=["view"])
    def resend(self, request, queryset):
        count = services.resend(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", count)
            % {"n": count},
            messages.SUCCESS,
        )
