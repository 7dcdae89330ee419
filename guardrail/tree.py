"""Checking a folder: every file in the tree, chosen by include and exclude globs.

A folder of published pages is published file by file, so each file is checked as a
payload of its own (one at a time: only one is open, and memory holds one small result
per file, not the files). What the walk leaves out is said plainly, and what it cannot
check blocks: a file of no known format is unreadable (the message says how to exclude
it), and a symlink leading out of the folder is not followed but blocks too, since a
web server serving the folder would follow it.

Defaults, and why:

- every file is checked (``--include`` narrows it; ``--exclude`` wins over it);
- hidden files and folders (a name starting with ``.``: ``.git``, ``.cache``) are left
  out: they hold tooling, not published content (``hidden=True`` keeps them, but
  ``.git`` is always left out);
- symlinked folders are not descended into (no loops; inside the tree their files are
  checked where they are); a symlinked file inside the tree is checked, one leading
  outside it (or nowhere) blocks as unreadable.

Globs are matched against the path relative to the folder, with ``/`` between folders:
``*`` and ``?`` stay within one folder name, ``**`` spans any number of folders
(``**/*.csv``, ``archive/**``), ``[abc]`` is a set. A glob without a ``/`` matches a
file's or folder's name at any depth (``*.png``, ``drafts``), as in ``.gitignore``.
An excluded folder is not walked at all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from guardrail.errors import UsageError
from guardrail.sources import InFolder, Refused

__all__ = ["Selection", "FolderScan", "scan_folder", "expand_folders", "holds_folder",
           "glob_matches"]

_ALWAYS_LEFT_OUT = frozenset({".git"})


@dataclass(frozen=True)
class Selection:
    """Which files of a folder a check reads (see the module's docstring)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    hidden: bool = False

    def wants_folder(self, relative: str, name: str) -> bool:
        if name in _ALWAYS_LEFT_OUT or (name.startswith(".") and not self.hidden):
            return False
        return not any(glob_matches(glob, relative) for glob in self.exclude)

    def wants_file(self, relative: str, name: str) -> bool:
        if name.startswith(".") and not self.hidden:
            return False
        if any(glob_matches(glob, relative) for glob in self.exclude):
            return False
        return not self.include or any(glob_matches(glob, relative) for glob in self.include)


@dataclass
class FolderScan:
    """What scanning folders found: the sources to check, and how many files were left
    out (hidden, excluded or not included)."""

    sources: list[Any] = field(default_factory=list)
    left_out: int = 0


def glob_matches(glob: str, relative: str) -> bool:
    """True when *relative* (a ``/``-separated path under the folder) matches *glob*."""
    if "/" not in glob.strip("/"):
        return _compiled(glob.strip("/")).fullmatch(relative.rsplit("/", 1)[-1]) is not None
    return _compiled(glob.strip("/")).fullmatch(relative) is not None


@lru_cache(maxsize=256)
def _compiled(glob: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            parts.append("(?:[^/]*/)*")
            i += 3
        elif glob.startswith("**", i):
            parts.append(".*")
            i += 2
        elif glob[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            parts.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 2:]:
            end = glob.index("]", i + 2)
            inner = glob[i + 1:end]
            negate = inner.startswith("!")
            inner = inner[1:] if negate else inner
            parts.append(f"[{'^' if negate else ''}{inner.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
        else:
            parts.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(parts))


def scan_folder(folder: str | os.PathLike[str], selection: Selection = Selection(),
                scan: FolderScan | None = None) -> FolderScan:
    """The files under *folder* that *selection* chooses, in a stable (sorted) order,
    each an :class:`~guardrail.sources.InFolder` (or a
    :class:`~guardrail.sources.Refused` for a symlink the walk will not follow)."""
    scan = scan if scan is not None else FolderScan()
    root = os.fspath(folder)
    real_root = os.path.realpath(root)
    for path, refusal in _walk(root, real_root, "", selection, scan):
        scan.sources.append(Refused(refusal, name=path) if refusal else InFolder(path))
    return scan


def _walk(path: str, real_root: str, prefix: str, selection: Selection,
          scan: FolderScan) -> Iterator[tuple[str, str | None]]:
    try:
        entries = sorted(os.scandir(path), key=lambda entry: entry.name)
    except OSError as exc:
        if not prefix:  # the folder asked for: nothing to check at all
            raise UsageError(f"cannot list the folder {path}: {exc.strerror or 'unreadable'}"
                             ) from None
        # A folder inside it: what it holds is published unchecked, so it blocks, and
        # the rest of the tree is still checked and reported.
        yield path, (f"a folder that cannot be listed ({exc.strerror or 'unreadable'}): it "
                     "may hold anything; fix its permissions, or leave it out with "
                     "--exclude GLOB")
        return
    for entry in entries:
        relative = f"{prefix}{entry.name}"
        link = entry.is_symlink()
        if entry.is_dir(follow_symlinks=False):
            if selection.wants_folder(relative, entry.name):
                yield from _walk(entry.path, real_root, f"{relative}/", selection, scan)
            else:
                scan.left_out += 1
            continue
        if link and os.path.isdir(entry.path):
            if not selection.wants_folder(relative, entry.name):
                scan.left_out += 1
            elif not _inside(entry.path, real_root):
                yield entry.path, _OUTSIDE.format(what="folder")
            continue  # a folder linked from inside the tree is checked where it is
        if not selection.wants_file(relative, entry.name):
            scan.left_out += 1
        elif link and not _inside(entry.path, real_root):
            yield entry.path, _OUTSIDE.format(what="file")
        else:
            yield entry.path, None


_OUTSIDE = ("a symlink to a {what} outside the checked folder (or to nothing): not "
            "followed, and blocked because a server publishing the folder would follow "
            "it; check its target on its own, or leave it out with --exclude GLOB")


def _inside(path: str, real_root: str) -> bool:
    target = os.path.realpath(path)
    return os.path.exists(target) and (target == real_root
                                       or target.startswith(real_root.rstrip(os.sep) + os.sep))


def _is_folder(item: Any) -> bool:
    return isinstance(item, (str, os.PathLike)) and not isinstance(item, InFolder) \
        and os.path.isdir(item)


def holds_folder(source: Any) -> bool:
    """True when *source* is a folder path, or a list or tuple holding one."""
    if isinstance(source, (list, tuple)):
        return any(_is_folder(item) for item in source)
    return _is_folder(source)


def expand_folders(sources: Iterable[Any] | Any, selection: Selection = Selection()
                   ) -> FolderScan:
    """*sources* with every folder path replaced by the files :func:`scan_folder`
    chooses in it; other sources are kept as they are.

    Raises UsageError when a folder holds no file to check (an empty check would be
    allowed, and a typo in a glob would pass unnoticed), or when *selection* chooses
    files but no source is a folder (the globs would silently do nothing).
    """
    items: Sequence[Any] = sources if isinstance(sources, (list, tuple)) else [sources]
    if selection != Selection() and not any(_is_folder(item) for item in items):
        raise UsageError("--include, --exclude and --hidden choose files in a folder, and "
                         "no path given is a folder: give the folder, or drop them")
    scan = FolderScan()
    folders: set[str] = set()
    for item in items:
        if _is_folder(item):
            real = os.path.realpath(item)
            if real in folders:  # the same folder twice (``site ./site``)
                continue
            folders.add(real)
            before = len(scan.sources)
            scan_folder(item, selection, scan)
            if len(scan.sources) == before:
                raise UsageError(
                    f"no file to check in the folder {os.fsdecode(item)} ({scan.left_out} "
                    "left out: hidden, or by --include/--exclude); check the globs")
        else:
            scan.sources.append(item)
    scan.sources = list(_once(scan.sources))
    return scan


def _once(sources: Iterable[Any]) -> Iterator[Any]:
    """*sources* without a file already met by its real path: a file named twice
    (``site site/a.csv``) is read and counted once."""
    seen: set[str] = set()
    for source in sources:
        if isinstance(source, (str, os.PathLike)) and os.fspath(source) != "-":
            real = os.path.realpath(source)
            if real in seen:
                continue
            seen.add(real)
        yield source
