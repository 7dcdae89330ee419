"""YAML format: multi-document streams, every scalar as written, safe by construction.

Read with PyYAML's parser (libyaml when available) event by event; nothing is ever
constructed, so ``!!python/object`` cannot build anything (it blocks the payload),
and ``NO``, ``0123``, ``1:30`` or ``2024-01-02`` reach the detectors as written.
Records, sections and positions: see :mod:`guardrail_yaml.layout`. Comments are
checked as ``(comments)`` records: see :mod:`guardrail_yaml.comments`; tags, ``%TAG``
directives and anchor names as ``(tags)`` records: see :mod:`guardrail_yaml.tags`. A
redacted copy keeps every untouched value's style and tag but not comments, and leaves
out a tag or anchor name the redactor changed: see :mod:`guardrail_yaml.writer`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from guardrail.plugin import Documents, Payload, ReadOptions, hookimpl

from .layout import Part, YamlReader
from .sniff import sniff as _sniff

__all__ = ["YamlFormat", "guardrail_register_formats"]


class YamlFormat:
    name = "yaml"
    extensions = (".yaml", ".yml")
    media_types = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml",
                   "+yaml")
    description = "YAML: multi-document streams; a list of mappings, or records inside a mapping"

    def sniff(self, head: bytes) -> int:
        return _sniff(head)

    def read(self, payload: Payload, options: ReadOptions) -> Iterator[Documents]:
        reader = YamlReader(payload, options)
        for part in reader.parts():
            assert isinstance(part, Part)
            # typed=False: scalars are text as written; record rules read numbers in them
            yield Documents(part.records, name=part.name, locate=reader.locate,
                            first_index=part.first_index, index=part.index, typed=False)

    def redact(self, payload: Payload, options: ReadOptions, redactor: Any,
               out: BinaryIO) -> None:
        """Write *payload* with offending values replaced; the same parts as :meth:`read`."""
        from .writer import write_copy

        write_copy(YamlReader(payload, options, keep_nodes=True).parts(), redactor, out)


@hookimpl
def guardrail_register_formats(register: Any) -> None:
    register(YamlFormat())
