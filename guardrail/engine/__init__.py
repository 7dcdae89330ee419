"""The engine: pure evaluation of sections of records against a compiled policy.

Private to guardrail: plugins use :mod:`guardrail.plugin`. No I/O, no hooks, no
printing; findings go to a :class:`~guardrail.engine.sink.Sink`.
"""

from __future__ import annotations

from guardrail.contract.records import Documents, Section, Table
from guardrail.engine.collector import Collector
from guardrail.engine.compiled import CompiledPolicy
from guardrail.engine.document_walk import DocumentWalk
from guardrail.engine.evaluation import Evaluation, Plan
from guardrail.engine.sink import Match, Sink
from guardrail.engine.table_walk import TableWalk

__all__ = ["Collector", "CompiledPolicy", "DocumentWalk", "Evaluation", "Match", "Plan",
           "Sink", "TableWalk", "evaluate"]


def evaluate(evaluation: Evaluation, file: str, section: Section) -> int:
    """Evaluate one section; returns the number of records read."""
    evaluation.check_section_name(file, section.name)
    if isinstance(section, Table):
        count = TableWalk(evaluation, file, section).run()
    else:
        assert isinstance(section, Documents)
        count = DocumentWalk(evaluation, file, section).run()
    evaluation.sink.end_section()
    return count
