"""The kernel's own tables."""
