"""Models: see this app's docstring in apps.py."""
