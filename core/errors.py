"""Typed errors that the CLI and the UI turn into one-line messages."""

import sys
from collections.abc import Callable


class CareerAssistantError(Exception):
    """Base class: its message is shown to the user as is, on one line."""


class ConfigError(CareerAssistantError):
    """A setting has an invalid value."""


class BadInput(CareerAssistantError):
    """A question, file or quiz answer the assistant cannot use."""


class IndexMissing(CareerAssistantError):
    """The vector index has not been built (or was built by another model)."""


class BackendUnavailable(CareerAssistantError):
    """A model, server or package the configured backend needs is missing or down."""


def one_line(text: str) -> str:
    """A message on one line, however it was wrapped."""
    return " ".join(text.split())


def run_reporting_errors(command: Callable[[], int]) -> int:
    """Run a command-line command; a known error becomes one line on stderr and exit code 2."""
    try:
        return int(command() or 0)
    except CareerAssistantError as exc:
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
