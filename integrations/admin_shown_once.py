"""Credentials shown once in the admin: API tokens, Open311 keys, webhook secrets.

A new credential is issued before its row is saved (only its hash, or for webhook secrets the
value the signature needs, is kept) and shown in the response that answers the save or the
action, and nowhere else: never in a message (the messages' cookie would carry it), the
session or a cache (``no-store``).
"""

from django.contrib import admin
from django.template.response import TemplateResponse


class ShownOnceAdmin(admin.ModelAdmin):
    """``issue(obj)`` gives a new row its credential and returns it; ``shown_once(request,
    items)`` answers with the page that shows ``(obj, credential)`` pairs."""

    shown_once_title = ""
    shown_once_note = ""
    shown_once_label = ""
    shown_once_detail_label = ""

    def issue(self, obj):
        raise NotImplementedError

    def shown_once_detail(self, obj):
        """A third column's value (e.g. until when the previous secret still signs), or None."""
        return None

    def save_model(self, request, obj, form, change):
        if not change:
            request.shown_once = [(obj, self.issue(obj))]
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        items = getattr(request, "shown_once", None)
        if items:
            return self.shown_once(request, items)
        return super().response_add(request, obj, post_url_continue)

    def shown_once(self, request, items):
        rows = [(obj, value, self.shown_once_detail(obj)) for obj, value in items]
        context = {
            **self.admin_site.each_context(request),
            "title": self.shown_once_title,
            "note": self.shown_once_note,
            "label": self.shown_once_label,
            "detail_label": self.shown_once_detail_label,
            "opts": self.model._meta,
            "rows": rows,
        }
        response = TemplateResponse(request, "admin/integrations/shown_once.html", context)
        response["Cache-Control"] = "no-store"
        return response
