"""Documents drawn from a JSON Schema: the policy schema that ``guardrail schema`` prints.

Covers the part of JSON Schema the policy schema uses (objects, arrays, strings with
patterns and formats, numbers, ``const``, ``enum``, ``oneOf``, ``anyOf``, ``$ref``,
``propertyNames``, ``additionalProperties``). *overrides* replace what is drawn at an
instance path, so a policy can be drawn with the schema's shape and coherent values
(levels that exist, destinations that are declared): ``fields[].level``,
``destinations.*`` (a value of a map), ``destinations.*key`` (its key) and
``destinations.*:string`` (a value when its ``oneOf`` branch is a string). An optional
property with an override is always drawn; an override returning :data:`OMIT` leaves
it out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

__all__ = ["SchemaDrawer", "OMIT"]

OMIT = object()
Override = Callable[[st.DrawFn], Any]


class SchemaDrawer:
    """Draws instances of *schema*; see the module docstring for *overrides*."""

    def __init__(self, schema: dict[str, Any], overrides: dict[str, Override] | None = None,
                 text: st.SearchStrategy[str] | None = None,
                 alphabet: st.SearchStrategy[str] | None = None) -> None:
        self.schema = schema
        self.overrides = overrides or {}
        self.text = st.text(max_size=12) if text is None else text
        self.alphabet = st.characters() if alphabet is None else alphabet  # other strings

    def draw(self, draw: st.DrawFn) -> Any:
        return self._node(draw, self.schema, "")

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.schema
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def _node(self, draw: st.DrawFn, node: dict[str, Any], path: str) -> Any:
        if path in self.overrides:
            return self.overrides[path](draw)
        node = self._resolve(node)
        if "const" in node:
            return node["const"]
        if "enum" in node:
            return draw(st.sampled_from(node["enum"]))
        branches = node.get("oneOf") or node.get("anyOf")
        if branches and "type" not in node:
            branch = self._resolve(draw(st.sampled_from(branches)))
            merged = {**{k: v for k, v in node.items() if k not in ("oneOf", "anyOf")},
                      **branch}
            kind = merged.get("type")
            if isinstance(kind, str) and f"{path}:{kind}" in self.overrides:
                return self.overrides[f"{path}:{kind}"](draw)
            return self._node(draw, merged, path)
        kind = node.get("type")
        if kind == "object":
            return self._object(draw, node, path)
        if kind == "array":
            return self._array(draw, node, path)
        if kind == "string":
            return self._string(draw, node)
        if kind == "integer":
            low = node.get("minimum", -1000)
            return draw(st.integers(low, node.get("maximum", low + 1000)))
        if kind == "number":
            return draw(st.floats(node.get("minimum", -1e6), node.get("maximum", 1e6),
                                  allow_nan=False))
        if kind == "boolean":
            return draw(st.booleans())
        return draw(st.none() | self.text)

    def _object(self, draw: st.DrawFn, node: dict[str, Any], path: str) -> dict[str, Any]:
        properties: dict[str, Any] = node.get("properties", {})
        required = set(node.get("required", ()))
        excluded: set[str] = set()
        choice = node.get("oneOf") or node.get("anyOf")
        if choice and all(set(b) == {"required"} for b in choice):
            picked = draw(st.sampled_from(choice))["required"]
            required |= set(picked)
            if "oneOf" in node:  # exactly one: leave out what the other branches require
                excluded = {k for b in choice for k in b["required"]} - set(picked)
        out: dict[str, Any] = {}
        for name, schema in properties.items():
            at = f"{path}.{name}".lstrip(".")
            # an override decides for itself whether an optional property is there
            if name in excluded or (name not in required and at not in self.overrides
                                    and not draw(st.booleans())):
                continue
            value = self._node(draw, schema, at)
            if value is not OMIT:
                out[name] = value
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            keys_at = f"{path}.*key".lstrip(".")
            if keys_at in self.overrides:
                keys = [self.overrides[keys_at](draw) for _ in range(draw(st.integers(
                    node.get("minProperties", 0), node.get("minProperties", 0) + 3)))]
            else:
                names = node.get("propertyNames", {"type": "string"})
                count = draw(st.integers(node.get("minProperties", 0),
                                         node.get("minProperties", 0) + 3))
                keys = [self._node(draw, names, keys_at) for _ in range(count)]
            for key in keys:
                if isinstance(key, str) and key not in out:
                    value = self._node(draw, extra, f"{path}.*".lstrip("."))
                    if value is not OMIT:
                        out[key] = value
        return out

    def _array(self, draw: st.DrawFn, node: dict[str, Any], path: str) -> list[Any]:
        low = node.get("minItems", 0)
        count = draw(st.integers(low, low + 3))
        items = [self._node(draw, node.get("items", {}), f"{path}[]") for _ in range(count)]
        items = [item for item in items if item is not OMIT]
        if node.get("uniqueItems"):
            unique: list[Any] = []
            for item in items:
                if item not in unique:
                    unique.append(item)
            for _ in range(20):  # duplicates dropped: draw again up to minItems
                if len(unique) >= low:
                    break
                item = self._node(draw, node.get("items", {}), f"{path}[]")
                if item is not OMIT and item not in unique:
                    unique.append(item)
            items = unique
        return items

    def _string(self, draw: st.DrawFn, node: dict[str, Any]) -> str:
        if node.get("format") == "date":
            return draw(st.dates()).isoformat()
        if "pattern" in node:
            pattern = node["pattern"]
            found = draw(st.from_regex(pattern, fullmatch=True))
            return found[: node.get("maxLength", len(found))]
        low = node.get("minLength", 0)
        return draw(st.text(self.alphabet, min_size=low,
                            max_size=max(low, node.get("maxLength", 12))))
