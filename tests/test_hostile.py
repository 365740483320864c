"""No input crashes the parser: malformed, hostile or huge files give findings, never a traceback."""

from __future__ import annotations

import json
import string
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.core.lint import lint_texts
from followthrough.core.parse import parse_postmortem
from followthrough.core.people import parse_directory
from followthrough.core.settings import DEFAULT_SETTINGS

from .conftest import BASE, lint_context

CTX = lint_context()
PATH = "postmortems/2026/2026-05-20-x.md"

yaml_atoms = st.sampled_from(
    ["---\n", "...\n", "title: ", "- ", ": ", "[", "]", "{", "}", "&a ", "*a", "!!python/object:x", "!foo ", "'", '"', "|\n", ">\n",
     "  ", "\t", "\n", "#", "%YAML 1.1\n", "2024-13-45", "no", "2026-05-20T14:32:00", "action_items:\n  - ", "owner: [a, b]",
     "roles: {commander: x}", "severity: SEV-2", "\x00", "\ufeff", "\r\n", "<<: *a\n", "? ", "## Timeline\n- 14:32 x\n- 13:00 y\n",
     "!!timestamp ", "!!bool ", "!!int ", "!!float ", "!!null ", "!!str ", "!!binary ", "!!set ", "!!omap ", "!!pairs ", "!!merge ",
     "!<tag:yaml.org,2002:int> ", "! ", "started: ", "due: ", "2025-03-14 04:12", "maybe", "soon", "tags: [config, off]"]
)  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(yaml_atoms | st.text(string.printable, max_size=8), max_size=40))
def test_yaml_shaped_garbage_gives_findings_not_exceptions(parts):
    text = "".join(parts)
    result = lint_texts([(PATH, text)], CTX)
    for f in result.findings:
        assert f.line >= 1 and f.path == PATH and f.code.startswith("FT")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=len(BASE)), st.text(max_size=30))
def test_a_valid_file_with_anything_spliced_in_never_crashes(position, insert):
    lint_texts([(PATH, BASE[:position] + insert + BASE[position:])], CTX)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text_parses(text):
    parse_postmortem(text, PATH, DEFAULT_SETTINGS)
    parse_directory(text, "people.yml")


# Run in a fresh interpreter: ru_maxrss is the process's lifetime peak, so in the test process
# (after hypothesis and the two-megabyte file) a blow-up up to that earlier peak would not show.
_MEASURE_PARSE = """
import json, resource, sys
from followthrough.core.parse import parse_postmortem
from followthrough.core.settings import DEFAULT_SETTINGS
text = sys.stdin.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
_, findings = parse_postmortem(text, "postmortems/2026/2026-05-20-x.md", DEFAULT_SETTINGS)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"grown_mb": grown / 1024, "findings": [[f.code, f.message] for f in findings]}))
"""


def _parse_in_fresh_process(text: str) -> tuple[float, list[tuple[str, str]]]:
    """(MiB the peak RSS grew by while parsing, [(code, message)]) from a fresh interpreter (ru_maxrss is in KiB on Linux)."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE_PARSE], input=text, capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(proc.stdout)
    return result["grown_mb"], [(code, message) for code, message in result["findings"]]


def test_billion_laughs_is_one_finding_and_no_blow_up():
    levels = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 12))
    text = "---\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + levels + "---\n"
    grown_mb, findings = _parse_in_fresh_process(text)
    alias = [message for code, message in findings if code == "FT006"]
    assert len(alias) == 1 and "110 aliases in all" in alias[0]
    assert grown_mb < 50  # 10**11 expanded items would need terabytes


def test_deep_nesting_is_refused_without_crashing_the_process():
    # Composers recurse (libyaml's segfaults near 100,000 levels) and libyaml stops at its own
    # limit on some builds: the loader measures nesting itself before composing anything.
    text = "---\ntitle: " + "[" * 200_000 + "]" * 200_000 + "\n---\n"
    _, findings = parse_postmortem(text, PATH, DEFAULT_SETTINGS)
    assert [f.code for f in findings if f.code == "FT008"] == ["FT008"]


def test_a_two_megabyte_postmortem_is_linted():
    filler = "\n".join(f"- 2026-05-20 {h % 24:02d}:{h % 60:02d} step {h} of the long incident" for h in range(0, 30))
    body = BASE + "\n" + ("Lorem ipsum dolor sit amet, the default fault injection run.\n" * 35_000) + filler
    assert len(body) > 2_000_000
    result = lint_texts([(PATH, body)], CTX)
    assert all(f.code != "FT503" for f in result.findings)  # "default" and "fault injection" are fine
