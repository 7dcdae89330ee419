"""JSON objects that keep every value of a repeated key.

JSON lets an object name a key twice (``{"name": "ok", "name": "Jane Smith"}``); a
plain dict keeps the last value, so the first would never be checked although the
published file still holds it. Here a repeated key's values become a list, checked
as ``name[0]``, ``name[1]``. Readers pass :class:`KeepAll` to ijson (``map_type``)
and :func:`keep_all_pairs` to the standard library (``object_pairs_hook``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["KeepAll", "keep_all_pairs"]


class Repeated(list):  # type: ignore[type-arg]
    """The values of one key written more than once, in order."""


class KeepAll(dict):  # type: ignore[type-arg]
    """A dict for parsers that set keys one by one: a second value joins the first."""

    __slots__ = ()

    def __setitem__(self, key: Any, value: Any) -> None:
        if key in self:
            before = dict.__getitem__(self, key)
            value = Repeated([*before, value]) if type(before) is Repeated \
                else Repeated([before, value])
        dict.__setitem__(self, key, value)


def keep_all_pairs(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    """``object_pairs_hook``: a plain dict unless a key repeats (checked in C first)."""
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    kept = KeepAll()
    for key, value in pairs:
        kept[key] = value
    return dict(kept)
