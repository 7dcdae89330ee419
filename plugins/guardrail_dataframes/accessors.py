"""``frame.guardrail``: check a frame, or write it only where its policy allows.

The writers write through :func:`guardrail.open_for_publish`: the library writes to an
unnamed copy beside the target, the copy is checked as the file format it is, and it
is renamed into place only if allowed. So the bytes checked are the bytes published,
and when the policy blocks, nothing is written and an existing file is untouched.
Each writer returns the :class:`~guardrail.Decision` or raises
:class:`~guardrail.PublishBlocked`; the writer's own keyword arguments pass through.

Registered on pandas and polars by :func:`guardrail_dataframes.register_pandas` and
:func:`guardrail_dataframes.register_polars`, never on import.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from importlib.util import find_spec
from typing import Any

from guardrail import Decision, Gate, PublishFile, UsageError, open_for_publish

from .policies import Policy, guardrail_for

__all__ = ["FrameGuard", "PandasGuard", "PolarsGuard"]

Path = str | os.PathLike[str]


class FrameGuard:
    """What pandas' and polars' ``frame.guardrail`` share: :meth:`check` and
    :meth:`enforce`, as :class:`guardrail.Gate` judges a body on its way out."""

    def __init__(self, frame: Any) -> None:
        self._frame = frame

    def check(self, policy: Policy, destination: str | None = None, mode: str = "enforce",
              **check_options: Any) -> Decision:
        """The frame's :class:`~guardrail.Decision` for *destination*.

        :param policy: a :class:`~guardrail.Guardrail`, a shipped policy's name or a
            policy file (loaded once, then reused).
        :param mode: ``enforce`` or ``audit`` (the decision says what enforce would do).
        """
        return Gate(guardrail_for(policy), destination, mode, **check_options) \
            .check(self._frame)

    def enforce(self, policy: Policy, destination: str | None = None, mode: str = "enforce",
                **check_options: Any) -> Decision:
        """:meth:`check`, raising :class:`~guardrail.PublishBlocked` when the frame may
        not be published (blocked in enforce mode, or unreadable in either mode)."""
        return Gate(guardrail_for(policy), destination, mode, **check_options) \
            .enforce(self._frame)

    def _publish(self, path: Path, write: Callable[[PublishFile], Any], *, text: bool,
                 format: str | None, policy: Policy, destination: str | None,
                 check_mode: str, encoding: str | None = None,
                 check_options: Mapping[str, Any] | None = None) -> Decision:
        out = open_for_publish(path, "w" if text else "wb", policy=guardrail_for(policy),
                               destination=destination, check_mode=check_mode,
                               format=format, encoding=encoding,
                               newline="" if text else None, **dict(check_options or {}))
        try:
            write(out)
        except BaseException:
            out.abort()
            raise
        out.close()  # raises PublishBlocked when blocked; nothing is then written
        assert out.decision is not None
        return out.decision


def _delimited(separator: str) -> str | None:
    """The format a delimited file is checked as (None: its extension, then content)."""
    return {",": "csv", "\t": "tsv"}.get(separator)


def _refuse(kwargs: Mapping[str, Any], **allowed: tuple[Any, ...]) -> None:
    """Writer options a checked publication cannot honour: appending to the target (the
    check would judge only the new part) and compressing it (no format reads it)."""
    for key, values in allowed.items():
        if key in kwargs and kwargs[key] not in values:
            raise UsageError(f"a guarded writer cannot take {key}={kwargs[key]!r}: it writes "
                             "a whole new file, checked as it is written")


class PandasGuard(FrameGuard):
    """``df.guardrail`` on a pandas DataFrame: check, enforce, and guarded writers with
    pandas' own ``to_csv``, ``to_json``, ``to_excel`` and ``to_parquet`` options."""

    def to_csv(self, path: Path, *, policy: Policy, destination: str | None = None,
               check_mode: str = "enforce", check_options: Mapping[str, Any] | None = None,
               **kwargs: Any) -> Decision:
        """``DataFrame.to_csv(path, **kwargs)``, written only if allowed."""
        _refuse(kwargs, mode=("w",), compression=(None, "infer"))
        kwargs.pop("mode", None)
        encoding = kwargs.pop("encoding", None) or "utf-8"
        return self._publish(path, lambda out: self._frame.to_csv(out, **kwargs), text=True,
                             format=_delimited(kwargs.get("sep", ",")), policy=policy,
                             destination=destination, check_mode=check_mode,
                             encoding=encoding, check_options=check_options)

    def to_json(self, path: Path, *, policy: Policy, destination: str | None = None,
                check_mode: str = "enforce", check_options: Mapping[str, Any] | None = None,
                **kwargs: Any) -> Decision:
        """``DataFrame.to_json(path, **kwargs)``, written only if allowed (``lines=True``
        is checked as NDJSON)."""
        _refuse(kwargs, mode=("w",), compression=(None, "infer"))
        kwargs.pop("mode", None)
        return self._publish(path, lambda out: self._frame.to_json(out, **kwargs), text=True,
                             format="ndjson" if kwargs.get("lines") else "json",
                             policy=policy, destination=destination, check_mode=check_mode,
                             check_options=check_options)

    def to_excel(self, path: Path, *, policy: Policy, destination: str | None = None,
                 check_mode: str = "enforce", check_options: Mapping[str, Any] | None = None,
                 **kwargs: Any) -> Decision:
        """``DataFrame.to_excel(path, **kwargs)`` (an ``.xlsx`` workbook), written only
        if allowed."""
        return self._publish(path, lambda out: self._frame.to_excel(out, **kwargs),
                             text=False, format="xlsx", policy=policy,
                             destination=destination, check_mode=check_mode,
                             check_options=check_options)

    def to_parquet(self, path: Path, *, policy: Policy, destination: str | None = None,
                   check_mode: str = "enforce",
                   check_options: Mapping[str, Any] | None = None,
                   **kwargs: Any) -> Decision:
        """``DataFrame.to_parquet(path, **kwargs)``, written only if allowed."""
        return self._publish(path, lambda out: self._frame.to_parquet(out, **kwargs),
                             text=False, format="parquet", policy=policy,
                             destination=destination, check_mode=check_mode,
                             check_options=check_options)


class PolarsGuard(FrameGuard):
    """``df.guardrail`` on a polars DataFrame: check, enforce, and guarded writers with
    polars' own ``write_csv``, ``write_json``, ``write_ndjson``, ``write_parquet`` and
    ``write_excel`` options."""

    def _write(self, method: str, path: Path, format: str | None, policy: Policy,
               destination: str | None, check_mode: str,
               check_options: Mapping[str, Any] | None, kwargs: dict[str, Any]) -> Decision:
        writer = getattr(self._frame, method)
        return self._publish(path, lambda out: writer(out, **kwargs), text=False,
                             format=format, policy=policy, destination=destination,
                             check_mode=check_mode, check_options=check_options)

    def write_csv(self, path: Path, *, policy: Policy, destination: str | None = None,
                  check_mode: str = "enforce",
                  check_options: Mapping[str, Any] | None = None,
                  **kwargs: Any) -> Decision:
        """``DataFrame.write_csv(path, **kwargs)``, written only if allowed."""
        return self._write("write_csv", path, _delimited(kwargs.get("separator", ",")),
                           policy, destination, check_mode, check_options, kwargs)

    def write_json(self, path: Path, *, policy: Policy, destination: str | None = None,
                   check_mode: str = "enforce",
                   check_options: Mapping[str, Any] | None = None,
                   **kwargs: Any) -> Decision:
        """``DataFrame.write_json(path, **kwargs)`` (a JSON array of rows), written only
        if allowed."""
        return self._write("write_json", path, "json", policy, destination, check_mode,
                           check_options, kwargs)

    def write_ndjson(self, path: Path, *, policy: Policy, destination: str | None = None,
                     check_mode: str = "enforce",
                     check_options: Mapping[str, Any] | None = None,
                     **kwargs: Any) -> Decision:
        """``DataFrame.write_ndjson(path, **kwargs)``, written only if allowed."""
        return self._write("write_ndjson", path, "ndjson", policy, destination, check_mode,
                           check_options, kwargs)

    def write_parquet(self, path: Path, *, policy: Policy, destination: str | None = None,
                      check_mode: str = "enforce",
                      check_options: Mapping[str, Any] | None = None,
                      **kwargs: Any) -> Decision:
        """``DataFrame.write_parquet(path, **kwargs)``, written only if allowed."""
        return self._write("write_parquet", path, "parquet", policy, destination,
                           check_mode, check_options, kwargs)

    def write_excel(self, path: Path, *, policy: Policy, destination: str | None = None,
                    check_mode: str = "enforce",
                    check_options: Mapping[str, Any] | None = None,
                    **kwargs: Any) -> Decision:
        """``DataFrame.write_excel(path, **kwargs)``, written only if allowed. polars
        writes workbooks with xlsxwriter, which is not installed with polars."""
        if find_spec("xlsxwriter") is None:
            raise UsageError("polars writes Excel workbooks with xlsxwriter, which is not "
                             "installed: pip install xlsxwriter")
        return self._write("write_excel", path, "xlsx", policy, destination, check_mode,
                           check_options, kwargs)
