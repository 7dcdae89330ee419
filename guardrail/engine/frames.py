"""Where a failure happened, as plain data: which plugin raised is read from it.

A frame is summarised as (module, function, id of its ``self``): enough for the host
to tell which plugin's code was running, and small enough to send from a scanning
worker to the main process (ids stay valid in a forked worker, which holds the
parent's objects at the same addresses). Nothing here runs unless something failed.
"""

from __future__ import annotations

from types import CodeType, FrameType, TracebackType

__all__ = ["Frame", "frames_of", "frames_from"]

# (module, function, id of the frame's ``self`` or None)
Frame = tuple[str, str, "int | None"]


def _summary(frame: FrameType) -> Frame:
    owner = frame.f_locals.get("self") if "self" in frame.f_code.co_varnames else None
    return (str(frame.f_globals.get("__name__", "")), frame.f_code.co_name,
            None if owner is None else id(owner))


def frames_of(tb: TracebackType | None) -> tuple[Frame, ...]:
    """The frames an exception went through, innermost (where it was raised) first."""
    frames: list[Frame] = []
    while tb is not None:
        frames.append(_summary(tb.tb_frame))
        tb = tb.tb_next
    frames.reverse()
    return tuple(frames)


def frames_from(frame: FrameType | None, stop: CodeType | None = None) -> tuple[Frame, ...]:
    """The frames of a running stack, innermost first, up to (not including) the first
    that runs *stop* (the host's own code that started the check)."""
    frames: list[Frame] = []
    while frame is not None and frame.f_code is not stop:
        frames.append(_summary(frame))
        frame = frame.f_back
    return tuple(frames)
