"""Load YAML safely while keeping the line and column of every node.

Policy errors must say ``file:line:col``; converting YAML to plain data loses
positions, so we compose the node graph once (within the policy limits, see
:mod:`.safe_yaml`), build the data with PyYAML's safe constructor and record each
node's start mark under its document path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import PolicyError, PolicyProblem
from .limits import MAX_YAML_NODES
from .safe_yaml import fast_parser, policy_loader

__all__ = ["MarkedDocument", "load_marked_yaml", "read_marked_yaml", "quoted"]

Path = tuple[Any, ...]


@dataclass
class MarkedDocument:
    """Plain data plus the (line, column) of every path in it, both 1-based."""

    file: str
    data: Any
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    # How scalars that YAML read as numbers, booleans or null were written (``1.10``,
    # ``yes``), so a message can show the author the quoted string to write instead.
    written: dict[Path, str] = field(default_factory=dict)
    nodes: int = 0  # YAML nodes read, aliases expanded (see limits.MAX_YAML_NODES)

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Position of *path*, or of its nearest ancestor that has one."""
        table = self.key_marks if key else self.marks
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.marks:
                return self.marks[probe]
            probe = probe[:-1]
        return self.marks.get((), (1, 1))


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Files this small are parsed again by PyYAML's parser after a syntax error, for its message.
_CLEARER_BELOW = 64 * 1024
_READ_AS = {
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "nothing",
}


def load_marked_yaml(text: str, file: str) -> MarkedDocument:
    """Parse one YAML document with the safe loader, keeping node positions.

    Raises :class:`PolicyError` naming the line and column of a syntax error, a
    duplicated key or a key that is not text (see :func:`read_marked_yaml`).
    """
    doc, problems = read_marked_yaml(text, file)
    if problems:
        raise PolicyError(problems)
    return doc


def read_marked_yaml(text: str, file: str, nodes: int = MAX_YAML_NODES,
                     ) -> tuple[MarkedDocument, list[PolicyProblem]]:
    """Parse one YAML document, and the problems that still leave it worth checking.

    A duplicated key (PyYAML silently keeps the last one, which hides typos) and a
    key YAML reads as a number or boolean are returned with the document, so the
    rest of the file is checked too. Raises :class:`PolicyError` when there is no
    document to check: a syntax error, an empty file, a value that cannot be built;
    and :class:`~guardrail.policy.limits.PolicyLimitError` for a document nested
    deeper or holding more than *nodes* nodes (aliases expanded) allows.
    """
    problems: list[PolicyProblem] = []
    try:
        return _read(policy_loader(text, file, nodes), file, problems), problems
    except yaml.MarkedYAMLError as exc:
        error = exc
    except yaml.YAMLError as exc:  # not positioned (the text was checked before)
        raise PolicyError([PolicyProblem(file, 1, 1, "", f"YAML error: {exc}",
                                        "yaml-syntax")]) from None
    if fast_parser() and len(text) <= _CLEARER_BELOW:
        # libyaml says what it expected; PyYAML's parser also says what it found.
        try:
            _read(policy_loader(text, file, nodes, clear_messages=True), file, [])
        except yaml.MarkedYAMLError as clearer:
            error = clearer
        except (yaml.YAMLError, PolicyError):
            pass
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = error.problem or error.context or "invalid YAML"
    if error.problem == "second occurrence" and error.context and error.context_mark:
        # PyYAML splits "found duplicate anchor 'a'; first occurrence ... second occurrence".
        what = (f"{error.context.split(';')[0]} (first on line {error.context_mark.line + 1});"
                " give each anchor its own name")
    message = f"YAML error: {what}" if isinstance(error, yaml.constructor.ConstructorError) \
        else f"YAML syntax error: {what}; fix the YAML syntax"  # a value, or the syntax
    problems.append(PolicyProblem(file, line, col, "", message, "yaml-syntax"))
    raise PolicyError(sorted(problems, key=lambda p: (p.line, p.column))) from None


def _read(loader: Any, file: str, problems: list[PolicyProblem]) -> MarkedDocument:
    try:
        node = loader.get_single_node()
        if node is None:
            raise PolicyError([PolicyProblem(file, 1, 1, "", "the policy file is empty",
                                                  "unreadable")])
        doc = MarkedDocument(file=file, data=None, nodes=loader.nodes)
        _walk(node, (), doc, problems)
        doc.data = _plain(loader.construct_document(node))
        return doc
    finally:
        loader.dispose()


def _walk(node: yaml.Node, path: Path, doc: MarkedDocument, problems: list[PolicyProblem]) -> None:
    doc.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode) and node.tag != _STR_TAG:
        doc.written[path] = node.value
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            line = key_node.start_mark.line + 1
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag not in (_STR_TAG,
                                                                            _MERGE_TAG):
                # Every key in a policy is a name; 2024 or yes would become "2024" or "True".
                what = _READ_AS.get(key_node.tag, "a value that is not text")
                fix = f"write {quoted(key)}: instead" if key else "give the key a name"
                problems.append(PolicyProblem(
                    doc.file, line, key_node.start_mark.column + 1, _dotted(path + (key,)),
                    f"found {what} as a key; expected a string; {fix}", "yaml-key"))
                key_node.tag = _STR_TAG  # read it as written, so later messages name 'yes'
            if key in seen:
                problems.append(
                    PolicyProblem(
                        doc.file,
                        line,
                        key_node.start_mark.column + 1,
                        _dotted(path + (key,)),
                        f"duplicate key '{key}' (first given on line {seen[key]}); "
                        "keep only one",
                        "yaml-key",
                    )
                )
            seen[key] = line
            child = path + (key,)
            doc.key_marks[child] = (line, key_node.start_mark.column + 1)
            _walk(value_node, child, doc, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), doc, problems)


def _plain(value: Any) -> Any:
    """Give every mapping string keys, as JSON Schema expects (other keys are reported)."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def quoted(text: str) -> str:
    """*text* as a YAML double-quoted string (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


dotted_path = _dotted
