"""Split an ijson event stream into records and the document around them, in one pass."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ijson

from guardrail.plugin import KeepAll, key_chain

__all__ = ["RecordStreamer", "simple_prefix"]

Event = tuple[str, str, Any]
_STARTS = ("start_map", "start_array")
_ENDS = ("end_map", "end_array")


def simple_prefix(selector: str) -> str | None:
    """The ijson prefix for a plain field chain (``data.cases``), or None for richer queries."""
    keys = key_chain(selector)
    return None if keys is None else ".".join(keys)


class RecordStreamer:
    """Finds the records array in a JSON event stream and yields its items one at a time.

    :param events: ijson ``parse`` events.
    :param prefix: ijson prefix of the records array; None picks the top-level
        array, or else the first top-level array whose first item is an object.
    """

    def __init__(self, events: Iterator[Event], prefix: str | None) -> None:
        self._events = iter(events)
        self._prefix = prefix
        self._rest = ijson.ObjectBuilder(map_type=KeepAll)
        self._pending: list[Event] = []
        self.section_name: str | None = None
        self._records_prefix: str | None = None

    def _next(self) -> Event:
        return self._pending.pop() if self._pending else next(self._events)

    def find_records(self) -> bool:
        """Consume events up to the start of the records array; False if there is none."""
        while True:
            try:
                prefix, event, value = self._next()
            except StopIteration:
                return False
            if event == "start_array" and self._is_records(prefix):
                self._records_prefix = prefix
                self.section_name = prefix or None
                self._rest.event(event, value)
                return True
            self._rest.event(event, value)

    def _is_records(self, prefix: str) -> bool:
        if self._prefix is not None:
            return prefix == self._prefix
        if prefix == "":
            return True
        if "." in prefix:
            return False
        following = self._next()
        self._pending.append(following)
        return following[1] == "start_map"

    def items(self) -> Iterator[Any]:
        """The records, built one at a time; leaves the stream after the array's end."""
        end_prefix = self._records_prefix
        while True:
            prefix, event, value = self._next()
            if event == "end_array" and prefix == end_prefix:
                self._rest.event(event, value)
                return
            if event in _STARTS:
                builder = ijson.ObjectBuilder(map_type=KeepAll)
                builder.event(event, value)
                depth = 1
                while depth:
                    _, event, value = self._next()
                    builder.event(event, value)
                    if event in _STARTS:
                        depth += 1
                    elif event in _ENDS:
                        depth -= 1
                yield builder.value
            else:
                yield value

    def remainder(self) -> Any:
        """Everything that was not a record (records arrays left empty)."""
        for _, event, value in iter(self._next_or_none, None):
            self._rest.event(event, value)
        return getattr(self._rest, "value", None)

    def _next_or_none(self) -> Event | None:
        try:
            return self._next()
        except StopIteration:
            return None
