"""The published JSON Schema of the front-matter: generated from the code, valid, and it agrees
with lint on the clean fixture postmortems and on the classic mistakes.

The committed file is checked against the repo's own mkdocs.yml; everything else uses a schema
built from the fixtures' settings, so a repo with a rubric of its own keeps a passing suite."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from followthrough.core.text import frontmatter
from followthrough.config.load import load_config
from followthrough.files.repo import load_repo
from followthrough.core.schema import build_schema, render_schema
from followthrough.core.settings import DEFAULT_SETTINGS

from .conftest import DATA, REPO_FIXTURE, ROOT, assert_no_traceback, run_cli

SCHEMA_FILE = ROOT / "schema" / "postmortem.schema.json"


class Yaml12Loader(yaml.SafeLoader):
    """Reads like an editor's YAML 1.2 language server: an unquoted date-time stays text."""


# PyYAML's public hook: a value it resolves as a timestamp is built as the text it was written as.
Yaml12Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)
# And booleans are YAML 1.2's, true and false only: `on:` (a re-date's day) is a key, not True.
Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def front_matter(path: Path) -> dict:
    parts = frontmatter.split(path.read_text(encoding="utf-8"))
    assert parts.yaml_text is not None, path
    return yaml.load(parts.yaml_text, Loader=Yaml12Loader)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = build_schema(DEFAULT_SETTINGS)  # the fixtures' rubric: the default one
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_the_generated_one(shipped: Path) -> None:
    result = run_cli("schema", cwd=shipped)  # the shipped mkdocs.yml's rubric
    assert result.code == 0, result.err
    text = SCHEMA_FILE.read_text()
    assert text == result.out, "regenerate: followthrough schema > schema/postmortem.schema.json"
    assert text == render_schema(load_config(shipped / "mkdocs.yml").settings)
    jsonschema.Draft202012Validator.check_schema(json.loads(text))


def test_the_schema_command_follows_the_repo_rubric_and_names_a_bad_setting(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - followthrough:\n      severities: [{name: Minor}, {name: Major}]\n      priorities: [now, later]\n")
    result = run_cli("schema", cwd=tmp_path)
    assert result.code == 0, result.err
    schema = json.loads(result.out)
    assert schema["properties"]["severity"]["enum"] == ["Minor", "Major"]
    assert schema["$defs"]["action_item"]["properties"]["priority"]["enum"] == ["now", "later"]
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - followthrough:\n      prioritys: [now]\n")
    bad = run_cli("schema", cwd=tmp_path)
    assert bad.code == 2 and bad.out == ""
    assert "mkdocs.yml: plugins.followthrough.prioritys: not a setting; did you mean 'priorities'?" in bad.err
    assert_no_traceback(bad)


def test_every_clean_fixture_postmortem_validates(validator: jsonschema.Draft202012Validator, tmp_path: Path) -> None:
    """Lint and the schema agree: every fixture file lint finds clean (default rubric) validates."""
    repo_copy = tmp_path / "repo"
    shutil.copytree(REPO_FIXTURE / "postmortems", repo_copy / "postmortems")
    (repo_copy / "mkdocs.yml").write_text("site_name: T\ndocs_dir: postmortems\nplugins:\n  - followthrough\n")
    configs = [repo_copy / "mkdocs.yml", *(DATA / name / "mkdocs.yml" for name in ("site/basic", "rules", "report"))]
    checked: dict[str, list[str]] = {}
    for config_file in configs:
        config = load_config(config_file)
        assert config.settings.severities == DEFAULT_SETTINGS.severities, config_file
        repo = load_repo(config, today=date(2026, 11, 23))
        flagged = {f.path for f in repo.findings}
        for pm in repo.postmortems:
            if pm.path not in flagged:
                path = repo.file_of(pm)
                checked[str(path)] = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(front_matter(path))]
    assert len(checked) >= 10, sorted(checked)
    assert {path: errors for path, errors in checked.items() if errors} == {}


GOOD = {
    "title": "Checkout down",
    "status": "published",
    "severity": "SEV-2",
    "services": ["checkout"],
    "started": "2026-05-20T14:32:00Z",
    "roles": {"commander": "a.nguyen", "sme": ["b.okafor"]},
    "action_items": [{"title": "Add a canary", "owner": "b.okafor", "due": "2026-06-01"}],
}


# (JSON path of the value at fault, the schema keyword that refuses it): what an editor points at.
# jsonschema's message wording changes between releases; the keyword and the path are its API.
@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"sevrity": "SEV-2"}, ("", "additionalProperties")),
        ({"severity": "SEV-9"}, ("severity", "enum")),
        ({"started": "2026-05-20T14:32:00"}, ("started", "pattern")),  # no offset
        ({"status": "no"}, ("status", "enum")),
        ({"services": []}, ("services", "minItems")),
        ({"roles": {"sme": ["x"]}}, ("roles", "required")),
        ({"action_items": []}, ("action_items", "minItems")),  # published needs items
        ({"action_items": [{"title": "t", "owner": ["a", "b"], "due": "2026-06-01"}]}, ("action_items/0/owner", "type")),
        ({"action_items": [{"title": "t", "owner": "a", "due": "Q3"}]}, ("action_items/0/due", "pattern")),
        ({"action_items": [{"title": "t", "owner": "a", "due": "2026-06-01", "priority": "P9"}]}, ("action_items/0/priority", "enum")),
        ({"action_items": [{"title": "t", "owner": "a", "due": "2026-06-01", "id": "Not A Slug"}]}, ("action_items/0/id", "pattern")),
    ],
)
def test_classic_mistakes_are_caught(validator: jsonschema.Draft202012Validator, change: dict, complaint: tuple[str, str]) -> None:
    assert list(validator.iter_errors(GOOD)) == []
    found = {("/".join(map(str, e.absolute_path)), e.validator) for e in validator.iter_errors({**GOOD, **change})}
    assert complaint in found, found


def test_a_draft_may_have_no_items(validator: jsonschema.Draft202012Validator) -> None:
    draft = {k: v for k, v in GOOD.items() if k != "action_items"} | {"status": "draft"}
    assert list(validator.iter_errors(draft)) == []


def test_severities_follow_the_repo_rubric() -> None:
    settings = load_config(ROOT / "mkdocs.yml").settings
    schema = build_schema(settings)
    assert schema["properties"]["severity"]["enum"] == list(settings.severity_names)
    assert schema["$defs"]["action_item"]["properties"]["priority"]["enum"] == list(settings.priorities)
