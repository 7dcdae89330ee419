"""The Python API: ``Guardrail.from_policy(...).check(...)`` inside any export job."""

from __future__ import annotations

import datetime as _dt
import os
from typing import Any

from guardrail.decision import Decision
from guardrail.errors import PublishBlocked
from guardrail.contract.protocols import Limits
from guardrail.policy.classify import Classifier
from guardrail.policy.load import load_policy
from guardrail.policy.model import Policy
from guardrail.redact.run import RedactionResult, run_redact
from guardrail.redact.redactor import HASH_KEY_ENV
from guardrail.host.registry import Registry, load_registry
from guardrail.runner import CheckRequest, run_check

__all__ = ["Guardrail"]


class Guardrail:
    """A loaded, validated policy plus the installed plugins, ready to check payloads.

    Build one per policy and reuse it: the policy is compiled once and field
    classifications are cached across checks.
    """

    def __init__(self, policy: Policy, registry: Registry) -> None:
        self.policy = policy
        self.registry = registry
        self._classifier = Classifier(policy)

    @classmethod
    def from_policy(cls, name_or_path: str | os.PathLike[str],
                    registry: Registry | None = None) -> Guardrail:
        """Load a shipped policy by name (``asb-public-web``) or a policy file by path.

        Raises :class:`~guardrail.PolicyError` listing every problem with file:line:col.
        """
        registry = registry or load_registry()
        policy = load_policy(str(name_or_path), registry.policy_path,
                             extra_rule_ids=frozenset(registry.detectors))
        return cls(policy, registry)

    def check(self, source: Any, format: str | None = None, destination: str | None = None,
              *, mode: str = "enforce", max_findings: int | None = None,
              encoding: str | None = None, today: _dt.date | None = None,
              jobs: int = 1, limits: Limits | None = None) -> Decision:
        """Check one payload, or several given as a list or tuple of paths/streams.

        :param source: a path, bytes, a binary or text stream, an iterable of dict
            records, or a list/tuple of paths or streams checked as one publication.
        :param format: format name; detected from extension and content when None.
        :param destination: where the payload is going; the policy's default when None.
        :param mode: ``enforce`` or ``audit`` (same checks, reported as a dry run).
        :param jobs: processes for content scanning of large tables; 2 uses a second
            core (a forked worker). Keep 1 inside servers that must not fork.
        """
        sources = list(source) if _is_many(source) else [source]
        request = CheckRequest(sources, destination, format, mode, max_findings, encoding, today,
                               jobs, limits or Limits())
        return run_check(self.registry, self.policy, request, self._classifier)

    def redact(self, source: Any, output: str | os.PathLike[str], format: str | None = None,
               destination: str | None = None, *, hash_key: bytes | str | None = None,
               encoding: str | None = None, today: _dt.date | None = None,
               max_findings: int | None = None, limits: Limits | None = None
               ) -> RedactionResult:
        """Write a copy of *source* to *output* with what the destination may not receive
        replaced by the policy's action for its level (redact, mask, hash, drop).

        Writes nothing when an action is ``block``, the payload cannot be read, or the
        copy would still fail the policy; the output file is replaced atomically.

        :param hash_key: secret for the ``hash`` action (default: the
            ``GUARDRAIL_HASH_KEY`` environment variable).
        """
        if hash_key is None:
            hash_key = os.environ.get(HASH_KEY_ENV)
        key = hash_key.encode("utf-8") if isinstance(hash_key, str) else hash_key
        request = CheckRequest([source], destination, format, "enforce", max_findings,
                               encoding, today, limits=limits or Limits())
        return run_redact(self.registry, self.policy, request, output, key, self._classifier)

    def enforce(self, source: Any, format: str | None = None,
                destination: str | None = None, **options: Any) -> Decision:
        """Like :meth:`check`, but raise :class:`~guardrail.PublishBlocked` unless allowed."""
        decision = self.check(source, format, destination, **options)
        if not decision.allowed:
            raise PublishBlocked(decision)
        return decision


def _is_many(source: Any) -> bool:
    """A list/tuple of paths or streams, as opposed to a list of dict records."""
    if not isinstance(source, (list, tuple)) or not source:
        return False
    return all(isinstance(s, (str, bytes, os.PathLike)) or hasattr(s, "read") for s in source)
