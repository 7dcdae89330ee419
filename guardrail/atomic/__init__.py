"""Files written whole or not at all, with nothing left behind by a crash.

Every command that writes a file (``guardrail redact`` today) goes through here::

    with atomic_output("out.csv") as stream:   # commits when the block ends normally
        stream.write(data)

    with AtomicFile("out.csv", inputs=[source]) as out:   # commit only once checked
        write(out.stream)
        check(out.finish())   # a path that reads the finished copy back
        out.commit()
"""

from __future__ import annotations

from guardrail.atomic.file import AtomicFile, SignalExit, atomic_output
from guardrail.atomic.stale import STALE_AFTER, remove_stale

__all__ = ["AtomicFile", "SignalExit", "atomic_output", "remove_stale", "STALE_AFTER"]
