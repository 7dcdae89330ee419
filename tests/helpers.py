"""Plain helpers the test modules share; fixtures live in conftest.py.

Importable as ``helpers`` because pytest puts this folder (it holds a conftest.py and no
``__init__.py``) on ``sys.path``.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any


def finding_tuples(*attributes: str) -> Callable[[Any], list[tuple]]:
    """A function giving, for every finding of a decision, the tuple of *attributes* in the
    order named: what a test compares exactly, and nothing it does not mean to check."""
    get = attrgetter(*attributes)

    def tuples(decision: Any) -> list[tuple]:
        return [get(finding) for finding in decision.findings]

    return tuples


# Where a document or table finding is: the form most format tests compare.
findings = finding_tuples("section", "record", "field", "rule", "evidence", "position")
