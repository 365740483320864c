"""Every link of the README and guide/ leads somewhere: a relative link names a file of the repo,
and a `#fragment` names a heading of its target, slugged as GitHub renders the docs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "guide").glob("*.md")])
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def github_slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` dropped,
    each space a hyphen (no collapsing, so `a -- b` keeps its hyphens)."""
    text = re.sub(r"[`*]", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    found: set[str] = set()
    for line in text.splitlines():
        m = re.match(r"#{1,6} (.+?)\s*#*\s*$", line)
        if not m:
            continue
        slug = github_slug(m.group(1))
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def links(path: Path) -> list[tuple[int, str]]:
    text = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        for m in LINK.finditer(CODE_SPAN.sub("", line)):
            out.append((number, m.group(1)))
    return out


def broken_links(docs: list[Path], root: Path = ROOT) -> list[str]:
    broken = []
    for doc in docs:
        for line, target in links(doc):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto: not followed here
            file_part, _, fragment = target.partition("#")
            dest = (doc.parent / file_part).resolve() if file_part else doc
            where = f"{doc.relative_to(root)}:{line}: {target}"
            if not dest.exists():
                broken.append(f"{where}: no such file")
            elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
                broken.append(f"{where}: no heading #{fragment} in {dest.relative_to(root)}")
    return broken


def test_every_link_of_the_docs_leads_to_a_file_and_heading() -> None:
    assert DOCS and len(DOCS) > 5
    assert broken_links(DOCS) == []


def test_a_broken_link_or_anchor_is_reported(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "# Title\n\n## 5. Set up `the` tokens\n\n```md\n[in code](nowhere.md)\n```\n\n"
        "[a](x.md#5-set-up-the-tokens) [b](x.md#nope) [c](gone.md) `[d](code.md)` [e](https://example.com/x)\n",
        encoding="utf-8",
    )
    assert anchors(doc) == {"title", "5-set-up-the-tokens"}
    assert broken_links([doc], tmp_path) == [
        "x.md:9: x.md#nope: no heading #nope in x.md",
        "x.md:9: gone.md: no such file",
    ]


def test_github_slugs() -> None:
    assert github_slug("`mkdocs serve`") == "mkdocs-serve"
    assert github_slug("Set-up, for a newcomer") == "set-up-for-a-newcomer"
    assert github_slug("FT604 people-unknown-manager") == "ft604-people-unknown-manager"
