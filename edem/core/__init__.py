"""The kernel every app builds on: workflow tables, immutable history, domain events, locking,
the working-day calendar and jurisdiction profiles, uploads and Markdown sanitising. It knows no
domain app: everything here is imported by the apps, never the other way round."""
