"""guardrail_ckan inside real CKAN: run where CKAN is installed (a throwaway venv; see
tests/test_integration_ckan.py, which runs this file there). Elsewhere it skips.

Exercised for real: CKAN's entry-point plugin loading (``ckan.plugins.load``), its
``update_config`` calling ``IConfigurable.configure`` with CKAN's config object,
``PluginImplementations(IResourceController)`` called the way ``resource_create`` and
``resource_update`` call it, ``toolkit.ValidationError``, a werkzeug ``FileStorage``
parsed from a real multipart body, and CKAN's own resource uploader storing the file
afterwards. Not exercised: the ``resource_create`` action itself, which needs
PostgreSQL and Solr (package_show before the hook, package_update after it).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

plugins = pytest.importorskip("ckan.plugins")
toolkit = pytest.importorskip("ckan.plugins.toolkit")
werkzeug_test = pytest.importorskip("werkzeug.test")

from ckan.cli import load_config  # noqa: E402
from ckan.common import config  # noqa: E402
from ckan.lib.uploader import get_resource_uploader  # noqa: E402

from guardrail import UsageError, hookimpl  # noqa: E402

CLEAN = b"month,ward,category\r\n2026-08,Adeyfield East,Nuisance\r\n"
LEAKY = (b"month,ward,category,notes\r\n"
         b"2026-08,Adeyfield East,Nuisance,Reported by Daniel Hughes of HP3 9QD\r\n")
RAW = ["Daniel", "Hughes", "HP3 9QD"]
EXAMPLE = Path(__file__).parent.parent / "examples" / "integrations" / "ckan.ini"


class Seen:
    def __init__(self) -> None:
        self.decisions: list[Any] = []

    @hookimpl
    def guardrail_after_check(self, context: Any, decision: Any) -> None:
        self.decisions.append(decision)


@pytest.fixture
def ckan(tmp_path: Path) -> Iterator[Any]:
    """CKAN's config for a site with no database or Solr behind it, and a loader."""
    saved = dict(config)
    config.update({
        "SECRET_KEY": "guardrail-test-secret-key-0123456789",
        "ckan.site_url": "http://127.0.0.1",
        "sqlalchemy.url": f"sqlite:///{tmp_path / 'unused.db'}",  # never queried
        "solr_url": "http://127.0.0.1:9/solr",  # refused at once: no search index
        "ckan.storage_path": str(tmp_path / "storage"),
        "ckan.plugins": "guardrail",
    })

    def load(**keys: str) -> Any:
        config.update(keys)
        return plugins.load("guardrail")  # the entry point, as `ckan.plugins = guardrail`

    try:
        yield load
    finally:
        if plugins.plugin_loaded("guardrail"):  # also after a load that failed
            plugins.unload("guardrail")
        config.clear()
        config.update(saved)


def _upload(body: bytes, filename: str = "asb-2026-08.csv",
            content_type: str = "text/csv") -> Any:
    """A FileStorage as Flask parses it from a browser's multipart form."""
    builder = werkzeug_test.EnvironBuilder(
        method="POST", data={"upload": (io.BytesIO(body), filename, content_type)})
    upload = builder.get_request().files["upload"]
    upload.request_body = builder  # the body is closed with its builder: keep it
    return upload


def _create(resource: dict[str, Any]) -> None:
    """What resource_create does before it stores anything."""
    for plugin in plugins.PluginImplementations(plugins.IResourceController):
        plugin.before_resource_create({"user": "editor"}, resource)


def _update(current: dict[str, Any], resource: dict[str, Any]) -> None:
    for plugin in plugins.PluginImplementations(plugins.IResourceController):
        plugin.before_resource_update({"user": "editor"}, current, resource)


def _store(resource: dict[str, Any], resource_id: str) -> bytes:
    """What CKAN does next with the upload: its own uploader writes the file."""
    uploader = get_resource_uploader(resource)
    uploader.upload(resource_id)
    return Path(uploader.get_path(resource_id)).read_bytes()


def test_the_plugin_loads_by_its_entry_point_and_reads_ckans_config(ckan: Any) -> None:
    plugin = ckan(**{"ckan.guardrail.policy": "uk-content-scan",
                     "ckan.guardrail.destination": "partner-portal"})
    found = list(plugins.PluginImplementations(plugins.IResourceController))
    assert [type(p).__name__ for p in found] == ["GuardrailResourcePlugin"]
    assert plugin.gate.destination == "partner-portal" and plugin.gate.mode == "enforce"


def test_a_leaky_upload_is_refused_with_a_validation_error(ckan: Any, tmp_path: Path) -> None:
    ckan(**{"ckan.guardrail.policy": "uk-content-scan"})
    resource = {"package_id": "asb", "name": "August", "upload": _upload(LEAKY)}
    with pytest.raises(toolkit.ValidationError) as refused:
        _create(resource)
    assert refused.value.error_dict == {"upload": [
        "BLOCKED: 1 finding may not go to 'public-web' (fields: notes)"]}
    assert not [raw for raw in RAW if raw in str(refused.value.error_dict)]
    assert not (tmp_path / "storage").exists()  # resource_create stops before storing


def test_a_leaky_replacement_is_refused_on_update(ckan: Any) -> None:
    ckan(**{"ckan.guardrail.policy": "uk-content-scan"})
    with pytest.raises(toolkit.ValidationError):
        _update({"id": "r1", "url": "asb-2026-07.csv"}, {"id": "r1", "upload": _upload(LEAKY)})


def test_a_clean_upload_is_stored_byte_identical(ckan: Any) -> None:
    ckan(**{"ckan.guardrail.policy": "uk-content-scan"})
    resource = {"package_id": "asb", "url": "", "upload": _upload(CLEAN)}
    _create(resource)
    assert _store(resource, "0a1b2c3d-0000-4000-8000-000000000001") == CLEAN
    assert resource["url"] == "asb-2026-08.csv" and resource["url_type"] == "upload"


def test_audit_mode_stores_the_leak_and_the_hook_sees_the_would_be_block(ckan: Any) -> None:
    plugin = ckan(**{"ckan.guardrail.policy": "uk-content-scan",
                     "ckan.guardrail.mode": "audit"})
    seen = Seen()
    plugin.gate.guardrail.registry.pm.register(seen, name="seen")
    resource = {"package_id": "asb", "url": "", "upload": _upload(LEAKY)}
    _create(resource)
    assert _store(resource, "0a1b2c3d-0000-4000-8000-000000000002") == LEAKY
    (decision,) = seen.decisions
    assert (decision.mode, decision.verdict, decision.exit_code) == ("audit", "block", 0)
    assert [(f.rule, f.also, f.record, f.field, f.evidence) for f in decision.findings] == [
        ("person.name", ("uk.postcode",), 0, "notes", "D***** H*****")]


@pytest.mark.parametrize("mode", ["enforce", "audit"])
def test_an_unreadable_upload_is_refused_in_both_modes(ckan: Any, mode: str) -> None:
    ckan(**{"ckan.guardrail.policy": "uk-content-scan", "ckan.guardrail.mode": mode})
    broken = _upload(b'{"rows": [1, 2', "asb.json", "application/json")
    with pytest.raises(toolkit.ValidationError) as refused:
        _create({"package_id": "asb", "upload": broken})
    (message,) = refused.value.error_dict["upload"]
    assert message.startswith("BLOCKED: asb.json could not be checked: not valid JSON")


def test_a_link_has_nothing_to_check(ckan: Any) -> None:
    ckan(**{"ckan.guardrail.policy": "uk-content-scan"})
    _create({"package_id": "asb", "url": "https://example.org/asb.csv", "upload": ""})


def test_a_wrong_setting_stops_ckan_loading_the_plugin(ckan: Any) -> None:
    with pytest.raises(UsageError, match="has no destination 'nowhere'"):
        ckan(**{"ckan.guardrail.policy": "uk-content-scan",
                "ckan.guardrail.destination": "nowhere"})


def test_without_a_policy_ckan_refuses_to_start(ckan: Any) -> None:
    with pytest.raises(Exception, match="ckan.guardrail.policy: Missing value"):
        ckan()


def test_the_documented_config_read_by_ckan_guards_uploads(ckan: Any) -> None:
    example = load_config(str(EXAMPLE))  # CKAN's own reader of ckan.ini
    keys = {k: v for k, v in example.items() if k.startswith("ckan.guardrail.")}
    assert example["ckan.plugins"] == "guardrail"
    plugin = ckan(**keys)
    assert (plugin.gate.destination, plugin.gate.mode) == ("public-web", "enforce")
    with pytest.raises(toolkit.ValidationError):
        _create({"package_id": "asb", "upload": _upload(LEAKY)})
    _create({"package_id": "asb", "upload": _upload(CLEAN)})
