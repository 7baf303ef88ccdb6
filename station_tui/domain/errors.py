"""Errors every layer raises: each carries a message a clerk can read."""

from __future__ import annotations


class StationError(Exception):
    """Base of the project's own errors; str() is the Chinese message shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(StationError):
    """A reference data file (profile, checklist, holidays) is broken."""
