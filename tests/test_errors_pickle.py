"""Errors cross process boundaries (``-j N``, worker pools): each comes back whole."""

import pickle

import pytest

from guardrail.errors import PayloadError, PluginFault, PolicyError, PolicyProblem, UsageError

ERRORS = [
    PluginFault("detector 'x' raised SystemExit", plugin="x", fault="SystemExit"),
    PayloadError("not UTF-8", file="export.csv", position="line 3"),
    PolicyError([PolicyProblem("p.yaml", 3, 5, "fields", "unknown level")]),
    UsageError("no such destination"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_an_error_survives_pickling_with_its_attributes(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.exit_code == error.exit_code
    assert vars(copy) == vars(error)
