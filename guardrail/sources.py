"""What :meth:`guardrail.Guardrail.check` accepts, what it refuses, and how each is named.

A payload is a path, bytes or a stream; records are dicts. Anything else (a pandas
DataFrame, a NumPy array, a list of strings that are not files, a generator of tuples)
is refused with a :class:`~guardrail.UsageError` rather than read as something it is
not: a DataFrame iterated as its column labels would be checked as three empty records
and allowed.

Names shown in reports are screened like values: a path is shown only when it looks
like a path and no detector finds anything in it; otherwise the payload is named by
its position (``<payload 2>``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from guardrail.errors import UsageError

if TYPE_CHECKING:
    from guardrail.engine.compiled import CompiledPolicy

__all__ = ["Records", "Adapted", "Refused", "InFolder", "sort_sources", "dict_records",
           "source_label", "looks_like_path"]

_BYTES = (bytes, bytearray, memoryview)
# Libraries whose objects iterate as something other than their records.
_TABULAR = {"pandas": "a pandas object", "numpy": "a NumPy array", "polars": "a polars frame",
            "pyarrow": "an Arrow object", "pyspark": "a Spark DataFrame",
            "dask": "a Dask collection", "xarray": "an xarray object"}
_PATH_CHARS = re.compile(r"[^\x00-\x1f\x7f]{1,4096}")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")


@dataclass(frozen=True)
class Records:
    """In-memory records (dicts) given to ``check``, checked as one payload."""

    records: Iterable[Any]


@dataclass(frozen=True)
class Adapted:
    """An in-memory object (a DataFrame) read by the adapter plugin that accepts it."""

    adapter: Any
    obj: Any


@dataclass(frozen=True)
class Refused:
    """A body an integration could not read itself (over its size cap, compressed in a
    coding it cannot undo, a malformed form), refused as an unreadable payload so the
    decision, and every after-check hook, record the refusal like any other.

    *reason* is shown as the payload's error: the integration writes it, and it must
    quote nothing of the body. *name* is screened like any payload name.
    """

    reason: str
    name: str | None = None


@dataclass(frozen=True)
class InFolder:
    """A file found by scanning a folder (see :mod:`guardrail.tree`): read like any
    path, but a file of no known format says how to leave it out of the scan."""

    path: str

    def __fspath__(self) -> str:
        return self.path


AdapterFor = Callable[[Any], Any]


def _is_payload(source: Any) -> bool:
    return isinstance(source, (str, os.PathLike, *_BYTES, Refused)) or hasattr(source, "read")


def _kind(value: Any) -> str:
    """A value's type for a message: its type name only, never the value."""
    return type(value).__name__


def sort_sources(source: Any, adapter_for: AdapterFor | None = None) -> list[Any]:
    """The payloads in *source*, each a path, bytes, a stream, a :class:`Records` or an
    :class:`Adapted` object (when *adapter_for* finds an adapter plugin that reads it).

    Raises UsageError for anything else, naming only its type.
    """
    if _is_payload(source) or isinstance(source, Refused):
        return [source]
    adapter = adapter_for(source) if adapter_for is not None else None
    if adapter is not None:
        return [Adapted(adapter, source)]
    if isinstance(source, (list, tuple)) and source and adapter_for is not None and all(
            _is_payload(item) or adapter_for(item) is not None for item in source):
        return [item if _is_payload(item) else Adapted(adapter_for(item), item)
                for item in source]
    library = type(source).__module__.split(".")[0]
    if library in _TABULAR:
        raise UsageError(
            f"cannot check {_TABULAR[library]} ({_kind(source)}) directly: no installed "
            "plugin reads it (for pandas and polars: pip install 'guardrail[dataframes]'). "
            "Or pass its rows as dict records, or write it to a file and check that")
    if isinstance(source, Mapping):
        raise UsageError("cannot check a single dict: pass a list of dict records")
    if isinstance(source, (list, tuple)):
        if source and all(_is_payload(item) for item in source):
            return list(source)
        strange = sorted({_kind(item) for item in source if not isinstance(item, Mapping)})
        if strange:
            raise UsageError(
                f"cannot check a {_kind(source)} holding {', '.join(strange)} items: pass "
                "dict records, or paths, bytes or streams (not both)")
        return [Records(source)]
    if isinstance(source, Iterable):
        return [Records(source)]
    raise UsageError(f"cannot check {_kind(source)}: pass a path, bytes, a stream or "
                     "an iterable of dict records")


def dict_records(records: Iterable[Any]) -> Iterator[Mapping[str, Any]]:
    """*records*, each checked to be a dict as it is read (a generator is read once)."""
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise UsageError(f"record {index} is a {_kind(record)}, not a dict: pass dict "
                             "records, or a path, bytes or a stream")
        yield record


def looks_like_path(text: str) -> bool:
    """Could *text* be a file path (a folder separator or an extension, no control
    characters)? Text that is not is never echoed back: it may be a payload itself."""
    if not _PATH_CHARS.fullmatch(text):
        return False
    return "/" in text or "\\" in text or _EXTENSION.search(text) is not None


def source_label(compiled: CompiledPolicy, source: Any, position: int) -> str:
    """How reports name the payload at *position* (1-based) of a check."""
    if isinstance(source, Records):
        return "<records>"
    if isinstance(source, Adapted):
        return f"<{source.adapter.name}>"
    if isinstance(source, _BYTES):
        return "<bytes>"
    if isinstance(source, Refused):
        text = source.name or ""
    elif isinstance(source, (str, os.PathLike)):
        text = os.fsdecode(source)
        if text == "-":
            return "<stdin>"
    else:
        name = getattr(source, "name", None)
        if not isinstance(name, str):
            return "<text stream>" if hasattr(source, "encoding") else "<stream>"
        text = name
    if looks_like_path(text) and not compiled.holds_personal_data(text):
        return text
    return f"<payload {position}>"

