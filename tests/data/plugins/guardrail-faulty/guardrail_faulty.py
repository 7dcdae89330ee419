"""A plugin that fails on demand, at one site, in one way (tests/test_plugin_faults.py).

It registers one of everything and behaves until told otherwise by two environment
variables: ``GUARDRAIL_FAULT_SITE`` (``format.read``, ``detector.find``, ..., or several
joined by commas) and ``GUARDRAIL_FAULT`` (``SystemExit(0)``, ``RuntimeError``,
``loop``, ``sleep``, ...). ``GUARDRAIL_FAULT_ON`` fails only on text holding it.
Where it can, the fault quotes what the plugin saw, as careless code does.
``GUARDRAIL_FAULT_ONLY_PID`` limits the fault to one process (``!123``: any but 123, a
scanning worker), and ``GUARDRAIL_FAULT_MARK`` names a file created on arriving at the
fault, so a test knows when to press Ctrl-C.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from guardrail.plugin import Documents, Span, hookimpl

SITES = ("format.sniff", "format.read", "format.cleanup", "format.redact", "detector.find",
         "detector.wants_field", "reporter.render", "hook.before_check", "hook.after_check",
         "policies.register")


def _recurse(depth: int) -> int:
    return _recurse(depth + 1) + 1


def fail(site: str, seen: str = "") -> None:
    """Fail here when this is the configured site (in the configured process)."""
    if site not in os.environ.get("GUARDRAIL_FAULT_SITE", "").split(","):
        return
    if os.environ.get("GUARDRAIL_FAULT_ON", "") not in seen:
        return
    only = os.environ.get("GUARDRAIL_FAULT_ONLY_PID")
    if only and (os.getpid() == int(only[1:]) if only.startswith("!") else
                 os.getpid() != int(only)):
        return
    fault = os.environ["GUARDRAIL_FAULT"]
    if os.environ.get("GUARDRAIL_FAULT_MARK"):
        open(os.environ["GUARDRAIL_FAULT_MARK"], "w").close()
    if fault == "loop":
        while True:
            pass
    if fault == "sleep":
        time.sleep(100)
    if fault == "RecursionError":
        _recurse(0)
    raise {
        "SystemExit(0)": SystemExit(0),
        "SystemExit(1)": SystemExit(1),
        "KeyboardInterrupt": KeyboardInterrupt(f"stopped at {seen!r}"),
        "GeneratorExit": GeneratorExit(f"closed at {seen!r}"),
        "RuntimeError": RuntimeError(f"cannot handle {seen!r}"),
        "MemoryError": MemoryError(f"no room for {seen!r}"),
    }[fault]


class FaultyFormat:
    name = "faulty"
    extensions = (".faulty",)
    description = "one record per line, as {'notes': line}"

    def sniff(self, head: bytes) -> int:
        fail("format.sniff", head.decode("utf-8", "replace"))
        return 0

    def read(self, payload, options) -> Iterator[Documents]:
        text = payload.open_text().read()
        fail("format.read", text)
        try:
            yield Documents(self._records(text))
        finally:  # runs when the generator is closed, even by the garbage collector
            fail("format.cleanup", text)

    def _records(self, text: str) -> Iterator[dict[str, str]]:
        try:
            for line in text.splitlines():
                yield {"notes": line}
        finally:
            fail("format.cleanup", text)

    def redact(self, payload, options, redactor, out) -> None:
        text = payload.open_text().read()
        docs = redactor.documents(section=None)
        for line in text.splitlines():
            fail("format.redact", line)
            out.write((str(docs.record({"notes": line})) + "\n").encode("utf-8"))


class FaultyDetector:
    id = "test.faulty"
    level = "personal"
    confidence = 0.9

    def find(self, text: str) -> Iterator[Span]:
        fail("detector.find", text)
        return iter(())

    def wants_field(self, field: str) -> bool:
        fail("detector.wants_field", field)
        return False


class FaultyReporter:
    name = "faulty"
    description = "one line: the verdict"

    def render(self, decision, out, options) -> None:
        fail("reporter.render", str([f.evidence for f in decision.findings]))
        out.write(f"{decision.verdict}\n")


@hookimpl
def guardrail_register_formats(register) -> None:
    register(FaultyFormat())


@hookimpl
def guardrail_register_detectors(register) -> None:
    register(FaultyDetector())


@hookimpl
def guardrail_register_reporters(register) -> None:
    register(FaultyReporter())


@hookimpl
def guardrail_register_policies(register) -> None:
    fail("policies.register")


@hookimpl
def guardrail_before_check(context) -> None:
    fail("hook.before_check", ", ".join(context.sources))


@hookimpl
def guardrail_after_check(context, decision) -> None:
    fail("hook.after_check", str(decision.to_dict()))
