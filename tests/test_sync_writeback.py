"""Writing `ticket:` into a postmortem: one line changes or is added, every other byte stays."""

from __future__ import annotations

import difflib

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from followthrough.files.writeback import WritebackError, set_ticket, write_ticket

DOC = """\
---
# A comment before everything
title: "Checkout failed: \\"pool\\" exhausted"   # trailing comment
status: published
severity: SEV-2
services: [checkout,   payments-api]
started: 2026-05-20T14:32:00Z
action_items:
  - id: pool-alert
    title: 'Alert on pool saturation'   # keep this comment
    owner: max.sme
    due: 2026-06-05

  # A comment between items
  - {id: pool-size, title: "Size the pool", owner: nia.sme, due: 2026-06-15}
  -   id: runbook
      title: >-
        Write the runbook
        for pool saturation
      owner: ana.ic
      due: 2026-06-20
  - id: empty-ticket
    title: Fix it
    owner: ana.ic
    due: 2026-06-21
    ticket:
  - id: quoted-ticket
    title: Fix it again
    ticket: ''
    owner: ana.ic
    due: 2026-06-21
roles: {commander: ana.ic}
---
## Summary

Body text with --- and `ticket: X` that must not be touched.
"""


def diff(old: str, new: str) -> list[str]:
    return [line for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_adds_one_line_after_a_block_item_at_its_key_indent():
    new = set_ticket(DOC, 0, "PAY-12")
    assert diff(DOC, new) == ["+    ticket: PAY-12\n"]
    assert new.index("    ticket: PAY-12\n") == new.index("    due: 2026-06-05\n") + len("    due: 2026-06-05\n")


def test_extends_a_flow_mapping_on_its_own_line():
    new = set_ticket(DOC, 1, "acme/web#7")
    assert diff(DOC, new) == [
        '-  - {id: pool-size, title: "Size the pool", owner: nia.sme, due: 2026-06-15}\n',
        '+  - {id: pool-size, title: "Size the pool", owner: nia.sme, due: 2026-06-15, ticket: acme/web#7}\n',
    ]


def test_unusual_indent_and_folded_title_keep_their_shape():
    new = set_ticket(DOC, 2, "OPS-3")
    assert diff(DOC, new) == ["+      ticket: OPS-3\n"]


def test_fills_an_empty_ticket_in_place():
    assert diff(DOC, set_ticket(DOC, 3, "PAY-4")) == ["-    ticket:\n", "+    ticket: PAY-4\n"]
    assert diff(DOC, set_ticket(DOC, 4, "PAY-5")) == ["-    ticket: ''\n", "+    ticket: PAY-5\n"]


def test_crlf_and_bom_are_kept():
    doc = "\ufeff" + DOC.replace("\n", "\r\n")
    new = set_ticket(doc, 0, "PAY-12")
    assert new.startswith("\ufeff---\r\n")
    assert "    due: 2026-06-05\r\n    ticket: PAY-12\r\n" in new
    assert new.replace("    ticket: PAY-12\r\n", "", 1) == doc


def test_values_that_would_not_read_back_are_quoted():
    new = set_ticket(DOC, 0, "#12")
    assert '    ticket: "#12"\n' in new
    assert yaml.safe_load(new.split("---\n")[1])["action_items"][0]["ticket"] == "#12"


def test_refuses_when_the_item_changed_since_it_was_read():
    with pytest.raises(WritebackError, match="changed since it was read"):
        set_ticket(DOC, 0, "PAY-12", expected_title="Something else")
    with pytest.raises(WritebackError, match="not in the file any more"):
        set_ticket(DOC, 9, "PAY-12")


def test_write_ticket_keeps_every_other_byte_and_the_mode(tmp_path):
    path = tmp_path / "pm.md"
    path.write_bytes(DOC.encode())
    path.chmod(0o640)
    write_ticket(path, 0, "PAY-12", expected_title="Alert on pool saturation")
    after = path.read_bytes()
    assert after.replace(b"    ticket: PAY-12\n", b"", 1) == DOC.encode()
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]  # no temporary file left


# -- every style a person might write ----------------------------------------------------

_plain = st.text(alphabet=st.sampled_from("abcdefghij klmno-_.,;()"), min_size=1, max_size=20).map(str.strip).filter(lambda s: s and s[0].isalpha())
_value = st.one_of(
    _plain,
    _plain.map(lambda s: f"'{s}'"),
    _plain.map(lambda s: f'"{s}"'),
    st.text(alphabet="äöü—é漢字 ", min_size=1, max_size=8).map(lambda s: f'"x{s}"'),
)
_comment = st.one_of(st.just(""), st.just("  # note"), st.just("   # ünïcode note"))


@st.composite
def documents(draw):
    indent = draw(st.sampled_from([0, 2, 4]))
    key_indent = indent + draw(st.sampled_from([2, 4]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    n = draw(st.integers(1, 4))
    lines = ["---", "title: Outage" + draw(_comment), "action_items:"]
    for i in range(n):
        keys = [("id", f"item-{i}"), ("title", draw(_value)), ("owner", "max.sme"), ("due", "2026-06-05")]
        if draw(st.booleans()):
            lines.append(" " * indent + "- {" + ", ".join(f"{k}: {v}" for k, v in keys) + "}" + draw(_comment))
            continue
        for j, (k, v) in enumerate(keys):
            lead = " " * indent + "- " + " " * (key_indent - indent - 2) if j == 0 else " " * key_indent
            lines.append(f"{lead}{k}: {v}" + draw(_comment))
        if draw(st.booleans()):
            lines.append(" " * key_indent + "# a comment after the item")
        if draw(st.booleans()):
            lines.append("")
    lines += ["status: published", "---", "Body", ""]
    return newline.join(lines), n


@settings(max_examples=200, deadline=None)
@given(documents(), st.data(), st.sampled_from(["PAY-1", "acme/web#12", "OPS-99999"]))
def test_any_style_gets_exactly_one_line_and_reads_back(doc_n, data, ticket):
    doc, n = doc_n
    try:
        before = yaml.safe_load(doc.split("---")[1])
    except yaml.YAMLError:
        assume(False)  # the generator wrote something no one could commit (a comma in a flow value)
    index = data.draw(st.integers(0, n - 1))
    new = set_ticket(doc, index, ticket)
    old_lines, new_lines = doc.splitlines(keepends=True), new.splitlines(keepends=True)
    changed = [line for line in difflib.ndiff(old_lines, new_lines) if line[:2] in ("+ ", "- ")]
    assert len(changed) in (1, 2)  # one line added, or one line replaced (flow mapping)
    front = yaml.safe_load(new.split("---")[1])
    before["action_items"][index]["ticket"] = ticket
    assert front == before
    assert new.endswith("---" + doc.split("---")[-1])  # the body is untouched


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
@pytest.mark.parametrize("index", [0, 1, 2, 3, 4])
def test_cr_only_and_crlf_files_get_one_line_in_their_own_line_ends(newline, index):
    # Saved by an editor set to CR-only (classic Mac) or CRLF line ends: the edit is the same
    # one line as in the LF file, with the file's own line end, and every other byte is kept.
    doc = DOC.replace("\n", newline)
    new = set_ticket(doc, index, "PAY-12")
    expected = set_ticket(DOC, index, "PAY-12").replace("\n", newline)
    assert new == expected
    assert "\n" not in new.replace("\r\n", "") if newline == "\r" else new.count("\r\n") == new.count("\n")


def test_mixed_line_ends_keep_the_line_end_of_the_line_they_follow():
    doc = DOC.replace("    due: 2026-06-05\n\n", "    due: 2026-06-05\r\r", 1)  # two CR-only lines in an LF file
    new = set_ticket(doc, 0, "PAY-12")
    assert "    due: 2026-06-05\r    ticket: PAY-12\r\r  # A comment" in new
    assert new.replace("    ticket: PAY-12\r", "", 1) == doc
