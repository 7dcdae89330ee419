"""Rebuild forenames.txt and surnames.txt (run by hand; the lists are committed).

    pip download --no-deps --no-binary :all: names==0.3.0 -d /tmp/names
    python build_name_lists.py /tmp/names/names-0.3.0.tar.gz

Source: the US Census Bureau's 1990 name frequency lists (public domain), as
shipped in the ``names`` package (MIT) on PyPI: 1,219 male and 4,275 female
forenames and 88,799 surnames with their frequencies. We keep every forename and
the 40,000 most frequent surnames (84% of people), then add ``uk_forenames.txt``
and ``uk_surnames.txt``: hand-curated UK names the 1990 US lists miss (Welsh,
Scottish, Irish, South Asian, Polish, Romanian, West African and recent British
names). Words that are far more often places, institutions or street words
(``stop_surnames.txt``) are removed from the surname list.
"""

from __future__ import annotations

import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).parent
SURNAME_LIMIT = 40_000


def _read_census(archive: tarfile.TarFile, member: str) -> list[str]:
    handle = archive.extractfile(next(m for m in archive.getmembers() if m.name.endswith(member)))
    assert handle is not None
    return [line.split()[0].lower() for line in handle.read().decode("ascii").splitlines()
            if line.strip()]


def _read(name: str) -> list[str]:
    return [line.strip().lower() for line in (HERE / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def main(sdist: str) -> None:
    with tarfile.open(sdist) as archive:
        forenames = _read_census(archive, "dist.male.first") + \
            _read_census(archive, "dist.female.first")
        surnames = _read_census(archive, "dist.all.last")[:SURNAME_LIMIT]
    stop = set(_read("stop_surnames.txt"))
    forenames = sorted(set(forenames) | set(_read("uk_forenames.txt")))
    surnames = sorted((set(surnames) | set(_read("uk_surnames.txt"))) - stop)
    (HERE / "forenames.txt").write_text("\n".join(forenames) + "\n", encoding="utf-8")
    (HERE / "surnames.txt").write_text("\n".join(surnames) + "\n", encoding="utf-8")
    print(f"{len(forenames)} forenames, {len(surnames)} surnames")


if __name__ == "__main__":
    main(sys.argv[1])
