"""What lies inside a misspelt key, found in the same ``guardrail lint`` run.

The loader cannot check the block under a key it does not know (``levle:``,
``destiantions:``), so its mistakes would only show once the key is fixed. Lint
reads each misspelt key as the key the schema suggests instead (when that key is
not given beside it), checks the chain again, and keeps the problems inside those
blocks, named as the author wrote them. Problems elsewhere that only the guess
would bring out are left to the next run, since the guess may be wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..errors import PolicyError, PolicyProblem
from ..policy.load import PolicyLookup, check_chain, read_chain
from ..policy.marked_yaml import MarkedDocument, dotted_path
from ..policy.problems import Problems
from ..policy.schema import check_schema, misspelt_keys

__all__ = ["respelt_problems"]

_ROUNDS = 4  # a misspelt key inside a misspelt key's block is found in the next round
# Each rename copies the marks under the key: past this many in one file, the rest wait
# for the next run (the note says more may follow), so a file of typos stays quick.
_MAX_RENAMES = 100


class _Rename:
    """A key *written* at *parent* that is read as *meant*."""

    def __init__(self, parent: tuple[Any, ...], written: str, meant: str) -> None:
        self.parent, self.written, self.meant = parent, written, meant
        self.meant_path = dotted_path(parent + (meant,))
        self.written_path = dotted_path(parent + (written,))

    def covers(self, path: str) -> bool:
        """Whether the dotted *path* (in the respelt document) lies in this block."""
        rest = path[len(self.meant_path):]
        return path.startswith(self.meant_path) and (not rest or rest[0] in ".[")


def respelt_problems(name: str, lookup: PolicyLookup,
                     extra_rule_ids: frozenset[str]) -> list[PolicyProblem]:
    """The problems inside the blocks of misspelt keys of policy *name*, each at the
    file, line and column the author wrote, its path as written and its message
    saying which key it was read as. None when no key is misspelt."""
    try:
        docs, complete = read_chain(name, lookup)
    except (PolicyError, RecursionError):
        return []  # the loader has reported why
    renames: dict[str, list[_Rename]] = {}
    respelt = [_respelt(doc, renames.setdefault(doc.file, [])) for doc in docs]
    if not any(renames.values()):
        return []
    report = Problems()
    report.extend(_hidden_misspellings(respelt, renames))
    try:
        for doc in respelt:
            problems, broken = check_schema(doc)
            report.extend(problems)
            report.mark_broken(doc, broken)
        check_chain(respelt, report, extra_rule_ids, complete=complete)
    except (PolicyError, RecursionError):
        return []
    return [found for problem in report.sorted()
            if (found := _as_written(problem, renames.get(problem.file, ()))) is not None]


def _hidden_misspellings(docs: list[MarkedDocument],
                         renames: dict[str, list[_Rename]]) -> list[PolicyProblem]:
    """A misspelt key inside a misspelt key's block, which the loader could not see."""
    out = []
    for doc in docs:
        for rename in renames[doc.file]:
            if not any(r.covers(dotted_path(rename.parent)) for r in renames[doc.file]):
                continue  # the loader reports it
            path = rename.parent + (rename.meant,)
            line, column = doc.position(path, key=True)
            out.append(PolicyProblem(doc.file, line, column, dotted_path(path[:-1] + (
                rename.written,)), f"unknown key '{rename.written}'; did you mean "
                f"'{rename.meant}'?", "schema"))
    return out


def _respelt(doc: MarkedDocument, renames: list[_Rename]) -> MarkedDocument:
    for _ in range(_ROUNDS):
        if len(renames) >= _MAX_RENAMES:
            break
        found = [(path[:-1], path[-1], meant) for path, meant in misspelt_keys(doc)]
        found = found[:_MAX_RENAMES - len(renames)]
        done = [r for r in (_rename(doc, *f) for f in found) if r is not None]
        if not done:
            break
        renames += done
    return doc


def _rename(doc: MarkedDocument, parent: tuple[Any, ...], written: str,
            meant: str) -> _Rename | None:
    """Rename *written* to *meant* in the mapping at *parent* of *doc*, keeping key order."""
    holder: Any = doc.data
    for part in parent:
        holder = holder[part]
    if not isinstance(holder, dict) or written not in holder or meant in holder:
        return None  # two misspellings of one key: only the first is read
    _set(doc, parent, {meant if k == written else k: v for k, v in holder.items()})
    old, new = parent + (written,), parent + (meant,)
    for table in (doc.marks, doc.key_marks, doc.written):
        table.update({new + path[len(old):]: value for path, value in list(table.items())
                      if path[:len(old)] == old})
    return _Rename(parent, written, meant)


def _set(doc: MarkedDocument, path: tuple[Any, ...], value: Any) -> None:
    if not path:
        doc.data = value
        return
    holder = doc.data
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = value


def _as_written(problem: PolicyProblem, renames: Sequence[_Rename]) -> PolicyProblem | None:
    """*problem* with its path as the author wrote it, or None when it lies in no
    renamed block. Later renames lie inside earlier ones, so they are undone first."""
    path, read_as = problem.path, []
    for rename in reversed(renames):
        if rename.covers(path):
            path = rename.written_path + path[len(rename.meant_path):]
            read_as.append(f"'{rename.written}' as '{rename.meant}'")
    if not read_as:
        return None
    return replace(problem, path=path,
                   message=f"{problem.message} (reading {' and '.join(reversed(read_as))})")
