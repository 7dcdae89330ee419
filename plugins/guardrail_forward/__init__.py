"""Forward each logged decision to syslog or a webhook: a decision listener.

Configured by the environment, so a CI job, a container or a cron line turns it on
without code (it does nothing while neither variable is set)::

    GUARDRAIL_FORWARD_SYSLOG=udp://logs.internal:514     # or tcp://host:601, unix:///dev/log
    GUARDRAIL_FORWARD_WEBHOOK=https://siem.internal/guardrail
    GUARDRAIL_FORWARD_VERDICTS=block                     # only these verdicts (default: all)
    GUARDRAIL_FORWARD_TIMEOUT=5                          # seconds per delivery

It sees only what the decision log holds (screened names, masked evidence). The entry
is in the local log before it is called; a delivery that fails is a warning on stderr,
and the verdict stands (see ``guardrail_decision_logged``).
"""

from __future__ import annotations

from guardrail_forward.listener import ForwardError, Settings, guardrail_decision_logged

__all__ = ["ForwardError", "Settings", "guardrail_decision_logged"]
