"""Read a policy file, resolve ``extends``, validate everything and build a :class:`Policy`.

Every problem in every file of the chain is collected in one pass before raising:
what the schema finds in each file and what only the merged policy shows (unknown
levels and destinations, JMESPath and regexes that do not compile, ...), each as
``file:line:col: path: message``. A value the schema found broken is skipped by
the later checks, so nothing is reported twice. Only a policy file that cannot
be read at all, an ``extends`` cycle and a policy past one of the size limits
(:mod:`.limits`: bytes, files, nesting, YAML nodes) stop at once. Every policy file,
whether named on the command line, reached through ``extends`` or shipped by a
plugin's policy pack, is read here, so the limits hold for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from ..errors import PolicyError, PolicyProblem
from .build import build_policy, check_merged
from .limits import MAX_POLICY_BYTES, MAX_POLICY_FILES, MAX_YAML_NODES, PolicyLimitError
from .marked_yaml import MarkedDocument, dotted_path, read_marked_yaml
from .merge import Merged, merge_chain
from .model import Policy
from .printable import unprintable_text
from .problems import Item, Problems
from .safe_yaml import decode_policy
from .schema import check_schema
from .sizes import check_sizes

__all__ = ["load_policy", "PolicyLookup", "read_chain", "check_chain"]

PolicyLookup = Callable[[str], "Path | None"]
"""Maps a shipped policy name to its file, or None when no plugin provides it."""


def load_policy(
    name_or_path: str | Path,
    lookup: PolicyLookup,
    *,
    extra_rule_ids: frozenset[str] = frozenset(),
) -> Policy:
    """Load, resolve and validate a policy by shipped name or by file path.

    :param lookup: finds shipped policies by name (provided by policy plugins).
    :param extra_rule_ids: rule ids from detector plugins that exceptions may name.
    :raises PolicyError: with every problem found, sorted by file, line and column.
    """
    report = Problems()
    chain = _Chain(lookup, report)
    path = _locate(str(name_or_path), lookup, None)
    try:
        chain.load(path, via=None, stack=())
        merged = check_chain(chain.docs, report, extra_rule_ids, complete=chain.complete)
        if report:
            raise PolicyError(report.sorted())
        return build_policy(merged, chain.docs)
    except RecursionError:  # the limits should make this impossible; fail as a policy error
        raise PolicyError([PolicyProblem(
            str(path), 1, 1, "", "the policy is nested too deeply to be checked; write it "
            "flatter", "too-large")]) from None


def read_chain(name_or_path: str | Path, lookup: PolicyLookup,
               ) -> tuple[list[MarkedDocument], bool]:
    """The documents of a policy's ``extends`` chain, parents first, as :func:`load_policy`
    reads them, and whether every file of it could be read. What is wrong in them is
    not reported here (``load_policy`` reports it); the list is empty when the policy
    is not a mapping.

    :raises PolicyError: as :func:`load_policy` does when the policy itself cannot be read.
    """
    chain = _Chain(lookup, Problems())
    chain.load(_locate(str(name_or_path), lookup, None), via=None, stack=())
    return chain.docs, chain.complete


def check_chain(docs: list[MarkedDocument], report: Problems, extra_rule_ids: frozenset[str],
                *, complete: bool) -> Merged:
    """Merge *docs* (parents first, each already checked against the schema into *report*)
    and report into *report* every problem of the merged policy.

    :param complete: False when a file of the chain could not be read.
    """
    merged = merge_chain(docs, report)
    check_sizes(merged, report)
    if docs:  # the root is last; one that is not a mapping has no pieces and is not listed
        check_merged(merged, docs, report, extra_rule_ids, complete=complete)
    return merged


def _locate(ref: str, lookup: PolicyLookup, base: Path | None) -> Path:
    looks_like_path = ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref
    if looks_like_path:
        candidate = Path(ref) if base is None or Path(ref).is_absolute() else base / ref
        if _is_file(candidate):
            return candidate
        raise PolicyError(f"policy file not found: {candidate}")
    shipped = lookup(ref)
    if shipped is not None:
        return shipped
    if base is None and _is_file(Path(ref)):
        return Path(ref)
    raise PolicyError(
        f"no policy named '{ref}'; run 'guardrail policies' to list shipped policies "
        "or pass a path to a .yaml file"
    )


def _is_file(path: Path) -> bool:
    """Whether *path* names a regular file; a name the system refuses (too long) does not."""
    try:
        return path.is_file()
    except OSError:
        return False


class _Chain:
    """Reads a policy and, depth first, the policies it extends (parents end up first).

    A parent that cannot be found or read is reported where the child names it
    (or, for a YAML error, in the parent itself); the rest is still read, and
    ``complete`` turns False so that nothing is called missing or unknown that
    the unread parent might have provided.
    """

    def __init__(self, lookup: PolicyLookup, report: Problems) -> None:
        self.lookup = lookup
        self.report = report
        self.docs: list[MarkedDocument] = []
        self.complete = True
        self.files = 0  # read or tried, for MAX_POLICY_FILES
        self.bytes = 0  # read so far, for MAX_POLICY_BYTES
        self.nodes = 0  # YAML nodes so far, for MAX_YAML_NODES

    def load(self, path: Path, via: Item | None, stack: tuple[Path, ...]) -> MarkedDocument | None:
        resolved = path.resolve()
        if resolved in stack:
            cycle = " -> ".join(str(p) for p in (*stack, resolved))
            _stop(via, path, f"'extends' forms a cycle: {cycle}; remove one of these extends",
                  kind="extends-cycle")
        self.files += 1
        if self.files > MAX_POLICY_FILES:
            _stop(via, path, f"the 'extends' chain reaches more than {MAX_POLICY_FILES} "
                  "policy files (this policy and every policy it extends, at any depth); "
                  "merge some of them")
        doc = self._read(path, via)
        if doc is None:
            return None
        problems, broken = check_schema(doc)
        self.report.extend(problems)
        self.report.mark_broken(doc, broken)
        if not isinstance(doc.data, dict):
            self.complete = False
            return doc
        for entry in self._parents(doc):
            try:
                parent = _locate(entry.value, self.lookup, path.parent)
            except PolicyError as exc:
                self.report.add(entry, exc.message, kind="extends-not-found")
                self.complete = False
                continue
            if any(Path(p.file).resolve() == parent.resolve() for p in self.docs):
                continue  # diamond: already loaded
            self.load(parent, entry, stack + (resolved,))
        self.docs.append(doc)
        return doc

    def _read(self, path: Path, via: Item | None) -> MarkedDocument | None:
        """The parsed file; a parent that cannot be read is reported and gives None."""
        try:
            text = decode_policy(self._bytes(path), str(path))
            doc, found = read_marked_yaml(text, str(path), MAX_YAML_NODES - self.nodes)
        except OSError as exc:
            reason = f"({exc.strerror or exc})"
            error = PolicyError(f"policy file {path} cannot be read {reason}") if via else \
                PolicyError([PolicyProblem(str(path), 1, 1, "", f"the policy cannot be read "
                                           f"{reason}", "unreadable")])
        except PolicyLimitError:
            raise
        except PolicyError as exc:
            error = exc
        else:
            self.nodes += doc.nodes
            self.report.extend(found)
            self.report.extend(unprintable_text(doc))
            return doc
        if via is None:
            raise error from None
        self.complete = False
        if error.problems:
            self.report.extend(error.problems)  # positioned in the parent itself
        else:
            self.report.add(via, error.message, kind="extends-not-found")
        return None

    def _bytes(self, path: Path) -> bytes:
        """The file's bytes; never more than what is left of :data:`MAX_POLICY_BYTES`."""
        left = MAX_POLICY_BYTES - self.bytes
        with path.open("rb") as file:
            data = file.read(left + 1)
        if len(data) > left:
            raise PolicyLimitError(
                str(path), 1, 1, f"the policy is larger than {MAX_POLICY_BYTES:,} bytes "
                "(1 MiB, counting the files it extends); a policy holds rules, not data: "
                "is this the right file?")
        self.bytes += len(data)
        return data

    def _parents(self, doc: MarkedDocument) -> list[Item]:
        """The usable ``extends`` entries of *doc*; a broken one makes the chain incomplete."""
        if "extends" not in doc.data:
            return []
        value: Any = doc.data["extends"]
        whole = Item(value, doc, ("extends",))
        if value == []:
            return []  # reported by the schema; it names no parent to miss
        if isinstance(value, str) and self.report.usable(whole):
            return [whole]
        if not isinstance(value, list) or not self.report.usable(whole):
            self.complete = False
            return []
        entries = [Item(ref, doc, ("extends", i)) for i, ref in enumerate(value)]
        usable = [e for e in entries if isinstance(e.value, str) and self.report.usable(e)]
        if len(usable) < len(entries):
            self.complete = False
        return usable


def _stop(via: Item | None, path: Path, message: str, kind: str = "too-large") -> NoReturn:
    """Stop loading with one problem, at the ``extends`` entry *via* that leads to *path*."""
    if via is None:
        raise PolicyLimitError(str(path), 1, 1, message, kind=kind)
    line, column = via.doc.position(via.path)
    raise PolicyLimitError(via.doc.file, line, column, message, dotted_path(via.path), kind)
