from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import Booking, ReceptionCard, ReceptionEvent, ReceptionSchedule


@admin.register(ReceptionSchedule)
class ReceptionScheduleAdmin(TranslationAdmin):
    list_display = (
        "cabinet",
        "official",
        "weekday",
        "date",
        "starts_at",
        "ends_at",
        "slot_minutes",
        "place",
        "privileged_first",
        "is_published",
    )
    list_filter = ("cabinet", "is_published", "privileged_first", "weekday")
    search_fields = ("place", "topics", "official__last_name", "cabinet__name")
    raw_id_fields = ("official",)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("day", "starts_at", "schedule", "citizen", "privileged_category", "status")
    list_filter = ("status", "privileged_category", "schedule__cabinet")
    date_hierarchy = "day"
    search_fields = ("citizen__last_name", "citizen__email", "topic")
    raw_id_fields = ("citizen", "schedule", "category")
    readonly_fields = ("created_at", "cancelled_at", "reminded_at")


class ReceptionEventInline(admin.TabularInline):
    model = ReceptionEvent
    fk_name = "card"
    fields = ("at", "actor", "action", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReceptionCard)
class ReceptionCardAdmin(admin.ModelAdmin):
    list_display = (
        "held_on",
        "cabinet",
        "official",
        "last_name",
        "is_walk_in",
        "privileged_category",
        "outcome",
        "appeal",
    )
    list_filter = ("outcome", "is_walk_in", "privileged_category", "cabinet")
    date_hierarchy = "held_on"
    search_fields = ("last_name", "first_name", "question")
    raw_id_fields = (
        "schedule",
        "booking",
        "official",
        "citizen",
        "category",
        "earlier_appeal",
        "appeal",
        "created_by",
    )
    inlines = [ReceptionEventInline]

    def has_delete_permission(self, request, obj=None):
        return False  # the card is a record of the reception (R15)
