"""The policy schema documents itself for editors, and editors can find it.

Every key of the schema (each property at every depth, each ``$defs`` entry, each
mapping whose keys the author names) carries a title, a description and examples, and
every example is valid where it stands; ``guardrail schema -o FILE`` writes the schema;
the shipped policies name a committed copy in a yaml-language-server modeline, which
the loader ignores like any other comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from referencing import Registry, Resource

from guardrail import Guardrail
from guardrail.authoring.schema_file import MODELINE_PREFIX, schema_text, write_schema
from guardrail.cli import cli
from guardrail.errors import UsageError
from guardrail.policy.schema import policy_schema

ROOT = Path(__file__).parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.yaml"))
COPY = ROOT / "schemas" / "policy.schema.json"
SCHEMA_ID = "https://guardrail.invalid/schemas/policy-v1.json"
MODELINE = MODELINE_PREFIX + "../schemas/policy.schema.json"

_SUBSCHEMA_LISTS = ("oneOf", "anyOf", "allOf", "prefixItems")
_SUBSCHEMA = ("items", "not", "if", "then", "else", "propertyNames", "contains")


def keyed_subschemas(schema: dict[str, Any], at: str = "") -> Iterator[tuple[str, Any]]:
    """(JSON pointer, subschema) of the root and of every key an author writes: each
    property, each ``$defs`` entry, and the value of a mapping whose keys they name."""
    if at == "":
        yield at, schema
    for group in ("properties", "$defs"):
        for name, sub in schema.get(group, {}).items():
            yield f"{at}/{group}/{name}", sub
            yield from keyed_subschemas(sub, f"{at}/{group}/{name}")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield f"{at}/additionalProperties", extra
        yield from keyed_subschemas(extra, f"{at}/additionalProperties")
    for word in _SUBSCHEMA:
        if isinstance(schema.get(word), dict):
            yield from keyed_subschemas(schema[word], f"{at}/{word}")
    for word in _SUBSCHEMA_LISTS:
        for index, sub in enumerate(schema.get(word, ())):
            yield from keyed_subschemas(sub, f"{at}/{word}/{index}")


def undocumented(schema: dict[str, Any]) -> list[str]:
    """'pointer: what is missing' for every key without a title, description or example."""
    out = []
    for at, sub in keyed_subschemas(schema):
        missing = [word for word in ("title", "description") if not sub.get(word)]
        examples = sub.get("examples")
        if not isinstance(examples, list) or not examples:
            missing.append("examples")
        if missing:
            out.append(f"{at or '/'}: {', '.join(missing)}")
    return out


def _validator_at(pointer: str) -> jsonschema.protocols.Validator:
    """A validator for the subschema at *pointer*, its $refs resolved in the whole schema."""
    schema = policy_schema()
    registry: Registry = Registry().with_resource(SCHEMA_ID, Resource.from_contents(schema))
    cls = jsonschema.validators.validator_for(schema)
    return cls({"$ref": f"{SCHEMA_ID}#{pointer}"}, registry=registry,
               format_checker=cls.FORMAT_CHECKER)


# -- every key is documented ---------------------------------------------------------------

def test_every_key_has_a_title_a_description_and_examples() -> None:
    assert undocumented(policy_schema()) == []


def test_the_walk_reaches_every_depth() -> None:
    pointers = {at for at, _ in keyed_subschemas(policy_schema())}
    for deep in ("/properties/detectors/properties/custom/items/properties/hotword_window",
                 "/properties/detectors/properties/settings/additionalProperties/properties/level",
                 "/properties/destinations/additionalProperties/oneOf/1/properties/max_level",
                 "/properties/exceptions/items/properties/expires",
                 "/$defs/one_or_more_strings", "/properties/destinations/additionalProperties"):
        assert deep in pointers
    assert len(pointers) == 89


def test_an_undocumented_key_is_named_with_what_it_lacks() -> None:
    schema = {"title": "t", "description": "d", "examples": [{}], "properties": {
        "a": {"type": "object", "title": "A", "description": "d", "examples": [{}],
              "properties": {"b": {"type": "string", "description": "only this"}}},
        "c": {"type": "object", "additionalProperties": {"type": "string"},
              "title": "C", "description": "d", "examples": []}},
              "$defs": {"d": {"title": "D", "examples": [1]}}}
    assert undocumented(schema) == [
        "/properties/a/properties/b: title, examples",
        "/properties/c: examples",
        "/properties/c/additionalProperties: title, description, examples",
        "/$defs/d: description",
    ]


@pytest.mark.parametrize("pointer", [at for at, sub in keyed_subschemas(policy_schema())
                                     if "examples" in sub or "default" in sub])
def test_every_example_and_default_is_valid_where_it_stands(pointer: str) -> None:
    sub = dict(keyed_subschemas(policy_schema()))[pointer]
    validator = _validator_at(pointer)
    values = [*sub.get("examples", ()), *([sub["default"]] if "default" in sub else [])]
    for value in values:
        errors = [e.message for e in validator.iter_errors(value)]
        assert errors == [], f"{pointer}: {value!r}"


def test_a_wrong_example_would_be_caught() -> None:
    validator = _validator_at("/properties/exceptions/items/properties/expires")
    assert not validator.is_valid("31/03/2027")
    assert not _validator_at("/properties/fields/items/properties/id").is_valid("ASB Small")


def test_the_root_example_is_a_policy_that_loads(tmp_path: Path) -> None:
    (example,) = policy_schema()["examples"]
    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(example, sort_keys=False), encoding="utf-8")
    assert Guardrail.from_policy(path).policy.name == "asb-public-web"


def test_the_id_is_stable_and_names_no_real_host() -> None:
    schema = policy_schema()
    assert schema["$id"] == SCHEMA_ID
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_every_shipped_policy_validates_against_the_schema(policy: Path) -> None:
    data = yaml.safe_load(policy.read_text(encoding="utf-8"))
    assert [e.message for e in _validator_at("").iter_errors(data)] == []


# -- the committed copy and the modelines ----------------------------------------------------

def test_the_committed_copy_is_what_guardrail_schema_prints() -> None:
    printed = CliRunner().invoke(cli, ["schema"], catch_exceptions=False)
    assert printed.exit_code == 0
    assert printed.stdout == schema_text()
    assert COPY.read_text(encoding="utf-8") == printed.stdout, (
        "run: guardrail schema -o schemas/policy.schema.json --force")


def test_there_are_shipped_policies() -> None:
    assert [p.name for p in POLICIES] == [
        "asb-public-web.yaml", "uk-content-scan.yaml", "uk-personal-data.yaml"]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_every_shipped_policy_names_the_schema_on_its_first_line(policy: Path) -> None:
    first = policy.read_text(encoding="utf-8").splitlines()[0]
    assert first == MODELINE
    named = (policy.parent / first.removeprefix(MODELINE_PREFIX)).resolve()
    assert named == COPY.resolve()
    assert named.read_text(encoding="utf-8") == schema_text()


# -- the loader ignores the modeline ---------------------------------------------------------

BODY = """\
apiVersion: guardrail/v1
kind: Policy
metadata:
  name: asb-partner
  version: "1.0"
extends: uk-personal-data
fields:
  - name: [ward, lsoa_code]
    level: public
"""


def test_a_modeline_changes_neither_the_policy_nor_its_sha256(tmp_path: Path) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text(BODY, encoding="utf-8")
    marked = tmp_path / "marked.yaml"
    # names a schema that does not exist: the loader never reads it
    marked.write_text(MODELINE_PREFIX + "./nowhere/policy.schema.json\n" + BODY, "utf-8")
    a, b = Guardrail.from_policy(plain).policy, Guardrail.from_policy(marked).policy
    assert (a.name, a.version, a.sha256) == (b.name, b.version, b.sha256)
    assert [(r.kind, r.patterns, r.level) for r in a.field_rules] == [
        (r.kind, r.patterns, r.level) for r in b.field_rules]
    # origins count the modeline as a line, so positions match the file the author edits
    assert (a.field_rules[0].origin, b.field_rules[0].origin) == (f"{plain}:8", f"{marked}:9")


def test_validate_reports_a_policy_with_a_modeline(tmp_path: Path) -> None:
    path = tmp_path / "asb.yaml"
    path.write_text(MODELINE + "\n" + BODY, encoding="utf-8")
    sha = Guardrail.from_policy(path).policy.sha256
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == (
        f"{path}: ok (policy asb-partner 1.0, sha256 {sha[:12]}, 11 field rules, 0 record "
        "rules, destinations: public-web, partner-portal, internal)\n")


def test_problems_below_a_modeline_keep_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "asb.yaml"
    path.write_text(MODELINE + "\n" + BODY.replace("level: public", "levle: public"), "utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == (
        "guardrail: error: policy is invalid (1 problem):\n"
        f"  {path}:10:5: fields[0].levle: unknown key 'levle'; did you mean 'level'? "
        "(level is required)\n")


# -- guardrail schema --output ---------------------------------------------------------------

def _schema(*args: str) -> Any:
    return CliRunner().invoke(cli, ["schema", *args], catch_exceptions=False)


def test_output_writes_the_schema_and_says_so(tmp_path: Path) -> None:
    target = tmp_path / ".guardrail" / "policy.schema.json"  # the folder is made
    result = _schema("-o", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"{target}: written\n")
    assert target.read_text(encoding="utf-8") == schema_text()
    again = _schema("--output", str(target))
    assert (again.exit_code, again.stderr) == (0, f"{target}: unchanged\n")


def test_output_refuses_a_different_file_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "asb-public-web.yaml"
    target.write_text(BODY, encoding="utf-8")
    result = _schema("-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == (f"guardrail: error: {target} exists and is not this schema; "
                             "give --force to replace it, or choose another file\n")
    assert target.read_text(encoding="utf-8") == BODY
    forced = _schema("-o", str(target), "--force")
    assert (forced.exit_code, forced.stderr) == (0, f"{target}: written\n")
    assert target.read_text(encoding="utf-8") == schema_text()


def test_output_to_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = _schema("-o", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_write_schema_returns_whether_it_wrote(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    assert write_schema(target) is True
    assert write_schema(target) is False
    target.write_text("{}", encoding="utf-8")
    with pytest.raises(UsageError):
        write_schema(target)
    assert write_schema(target, force=True) is True


def test_help_says_how_to_point_a_policy_at_the_schema() -> None:
    text = _schema("--help").stdout
    assert "guardrail schema -o .guardrail/policy.schema.json" in text
    assert "# yaml-language-server: $schema=../.guardrail/policy.schema.json" in text
