"""Telling someone: a command run when a sweep finds something new.

A sweep on a schedule has no exit code to act on until it stops, and the decision log's
listeners see every sweep, old findings and all. ``--on-new COMMAND`` runs a command
(split as a shell would, run without one) only when a sweep has news: the new-only
report on its standard input, and figures in its environment, so ``mail``, a chat
webhook script or a pager call can pass it on. A command that fails or hangs is a
warning: the sweep's decision, log entry and state are already saved, and the loop goes
on.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping

from guardrail.errors import UsageError

__all__ = ["Alert", "ALERT_TIMEOUT"]

ALERT_TIMEOUT = 60.0  # seconds a command may take before it is stopped


class Alert:
    """The command to run on news; built once, so a typo fails before the first sweep."""

    def __init__(self, command: str, timeout: float = ALERT_TIMEOUT) -> None:
        try:
            self.argv = shlex.split(command)
        except ValueError as exc:
            raise UsageError(f"--on-new: cannot split the command ({exc}); quote it as "
                             "a shell would") from None
        if not self.argv:
            raise UsageError("--on-new needs a command, e.g. --on-new 'mail -s leak "
                             "dpo@example.org'")
        self.timeout = timeout

    def run(self, report: str, figures: Mapping[str, str]) -> str | None:
        """Run the command with *report* on stdin and *figures* added to its
        environment; a warning to show when it failed, else None."""
        name = os.path.basename(self.argv[0])
        try:
            done = subprocess.run(self.argv, input=report.encode("utf-8"),  # noqa: S603
                                  env={**os.environ, **figures}, timeout=self.timeout,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  check=False)
        except FileNotFoundError:
            return f"--on-new: command '{name}' not found"
        except subprocess.TimeoutExpired:
            return f"--on-new: '{name}' ran over {self.timeout:g}s and was stopped"
        except OSError as exc:
            return f"--on-new: cannot run '{name}' ({exc.strerror or type(exc).__name__})"
        if done.returncode != 0:
            return f"--on-new: '{name}' exited {done.returncode}"
        return None
