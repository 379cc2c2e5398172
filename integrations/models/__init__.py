"""The integrations' rows, one module a concern (each imported here so Django finds it)."""
