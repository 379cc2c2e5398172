"""Signed webhooks for the EDMS API clients (issue 14, point 2).

The kernel's domain events (``edem.core.events``) drive them: ``subscribers.on_event`` turns
an event into one ``WebhookDelivery`` row per matching subscription; ``delivery`` sends the
rows (signed, see ``signing``), records each attempt and retries with a back-off, from a Celery
task after commit and from the beat's sweep; ``services`` makes subscriptions, rotates their
secrets and re-sends; ``admin`` shows all of it. The catalogue of webhook event types, and
which domain event each comes from, is ``catalogue``.
"""
