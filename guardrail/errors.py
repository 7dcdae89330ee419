"""One shallow exception tree for everything that stops a guardrail run.

Findings are data (see :mod:`guardrail.decision`); exceptions are for runs that
cannot go on. Every message is written for the person reading the terminal and
never contains a raw value from the payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "GuardrailError",
    "UsageError",
    "PolicyError",
    "PolicyProblem",
    "PluginError",
    "PluginFault",
    "PayloadError",
    "EXIT_ALLOW",
    "EXIT_BLOCKED",
    "EXIT_USAGE",
    "EXIT_PAYLOAD",
    "EXIT_INTERNAL",
]

EXIT_ALLOW = 0
EXIT_BLOCKED = 1
EXIT_USAGE = 2
EXIT_PAYLOAD = 3
EXIT_INTERNAL = 4


class GuardrailError(Exception):
    """Base of every error guardrail raises on purpose."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Errors cross process boundaries (parallel checks, worker pools): rebuild them
        # whole, keyword-only attributes included, rather than from ``args`` alone.
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type[GuardrailError], args: tuple, state: dict) -> GuardrailError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class UsageError(GuardrailError):
    """The caller asked for something that does not exist (a destination, a format, ...)."""


@dataclass(frozen=True)
class PolicyProblem:
    """One mistake in a policy file, with where it is and what was expected."""

    file: str
    line: int
    column: int
    path: str
    message: str
    # What kind of mistake, as a stable slug ("unknown-level", "schema"): tools such as
    # ``guardrail lint`` key on it, never on the wording. Not part of equality.
    kind: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        where = f" {self.path}:" if self.path else ""
        return f"{self.file}:{self.line}:{self.column}:{where} {self.message}"


class PolicyError(GuardrailError):
    """A policy that cannot be loaded or does not validate. It never runs."""

    def __init__(self, problems: Sequence[PolicyProblem] | str) -> None:
        if isinstance(problems, str):
            self.problems: tuple[PolicyProblem, ...] = ()
            super().__init__(problems)
            return
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"policy is invalid ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class PluginError(GuardrailError):
    """A plugin clashed with another one or does not keep the contract; guardrail fails
    closed."""


class PluginFault(PluginError):
    """A plugin raised (anything: ``SystemExit`` and ``KeyboardInterrupt`` too) or ran out
    of time; the run stopped and nothing may be published.

    The message names the plugin and what it was doing, never the exception's text,
    which may quote the payload (``GUARDRAIL_DEBUG=1`` prints the traceback).

    :param plugin: the plugin's name as registered (its entry-point name).
    :param fault: what went wrong: the exception's type name, or ``"time limit"``.
    """

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, *, plugin: str, fault: str) -> None:
        super().__init__(message)
        self.plugin = plugin
        self.fault = fault


class PayloadError(GuardrailError):
    """The payload could not be read: unknown format, malformed content, bad encoding.

    :param file: display name of the payload.
    :param position: where the fault is (``line 12, column 4``, ``byte 1034``), if known.
    """

    exit_code = EXIT_PAYLOAD

    def __init__(self, message: str, *, file: str = "", position: str | None = None) -> None:
        self.file = file
        self.position = position
        self.reason = message
        where = ":".join(part for part in (file, position) if part)
        super().__init__(f"{where}: {message}" if where else message)
