"""The published JSON Schema of the front-matter: generated from the code, valid, and it agrees
with lint on the samples and on the classic mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from followthrough import frontmatter
from followthrough.config import load_config
from followthrough.schema import build_schema, render_schema

from .conftest import ROOT

SCHEMA_FILE = ROOT / "schema" / "postmortem.schema.json"


class Yaml12Loader(yaml.SafeLoader):
    """Reads like an editor's YAML 1.2 language server: an unquoted date-time stays text."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def front_matter(path: Path) -> dict:
    parts = frontmatter.split(path.read_text(encoding="utf-8"))
    assert parts.yaml_text is not None, path
    return yaml.load(parts.yaml_text, Loader=Yaml12Loader)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_the_generated_one() -> None:
    settings = load_config(ROOT / "mkdocs.yml").settings
    assert SCHEMA_FILE.read_text() == render_schema(settings), "regenerate: python -m followthrough.schema > schema/postmortem.schema.json"


SAMPLES = sorted(p for p in (ROOT / "postmortems").rglob("*.md") if p.parent.name.isdigit())


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_validates(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(front_matter(path))]
    assert errors == []


def test_there_are_samples() -> None:
    assert len(SAMPLES) >= 10


GOOD = {
    "title": "Checkout down",
    "status": "published",
    "severity": "SEV-2",
    "services": ["checkout"],
    "started": "2026-05-20T14:32:00Z",
    "roles": {"commander": "a.nguyen", "sme": ["b.okafor"]},
    "action_items": [{"title": "Add a canary", "owner": "b.okafor", "due": "2026-06-01"}],
}


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"sevrity": "SEV-2"}, "Additional properties are not allowed ('sevrity' was unexpected)"),
        ({"severity": "SEV-9"}, "'SEV-9' is not one of"),
        ({"started": "2026-05-20T14:32:00"}, "does not match"),  # no offset
        ({"status": "no"}, "'no' is not one of"),
        ({"services": []}, "should be non-empty"),
        ({"roles": {"sme": ["x"]}}, "'commander' is a required property"),
        ({"action_items": []}, "should be non-empty"),  # published needs items
        ({"action_items": [{"title": "t", "owner": ["a", "b"], "due": "2026-06-01"}]}, "is not of type 'string'"),
        ({"action_items": [{"title": "t", "owner": "a", "due": "Q3"}]}, "'Q3' does not match"),
        ({"action_items": [{"title": "t", "owner": "a", "due": "2026-06-01", "priority": "P9"}]}, "'P9' is not one of"),
        ({"action_items": [{"title": "t", "owner": "a", "due": "2026-06-01", "id": "Not A Slug"}]}, "does not match"),
    ],
)
def test_classic_mistakes_are_caught(validator: jsonschema.Draft202012Validator, change: dict, complaint: str) -> None:
    assert list(validator.iter_errors(GOOD)) == []
    messages = [e.message for e in validator.iter_errors({**GOOD, **change})]
    assert any(complaint in m for m in messages), messages


def test_a_draft_may_have_no_items(validator: jsonschema.Draft202012Validator) -> None:
    draft = {k: v for k, v in GOOD.items() if k != "action_items"} | {"status": "draft"}
    assert list(validator.iter_errors(draft)) == []


def test_severities_follow_the_repo_rubric() -> None:
    settings = load_config(ROOT / "mkdocs.yml").settings
    schema = build_schema(settings)
    assert schema["properties"]["severity"]["enum"] == list(settings.severity_names)
    assert schema["$defs"]["action_item"]["properties"]["priority"]["enum"] == list(settings.priorities)
