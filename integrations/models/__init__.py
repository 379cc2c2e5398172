"""The integrations' rows, one module a concern (each imported here so Django finds it)."""

from .opendata import Open311Client, OpenDataFile

__all__ = ["Open311Client", "OpenDataFile"]
