"""The header card as the search plugin reads it: its text without its markup (core/pages/searchcopy.py),
checked against mkdocs-material's own search parser and a real build of the fixture site."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from material.plugins.search.plugin import Parser

from followthrough.core.pages.searchcopy import search_copy

from .site_builds import copy_fixture, build_site

CARD = (
    '<div class="ft-card">\n<p><span class="ft-badge ft-rank-1">SEV-1</span> <span class="ft-status">published</span></p>\n'
    '<p><strong>Services</strong>: <a href="../../by-service/checkout/">checkout</a> &amp; more</p>\n'
    '<table>\n<thead><tr><th>Role</th><th style="text-align:right">Held by</th></tr></thead>\n'
    "<tbody>\n<tr><td>Incident Commander</td><td>Ana Commander</td></tr>\n"
    "<tr><td>Re-dated</td><td>2x, +21 d<br>originally due 2024-03-20</td></tr>\n</tbody>\n</table>\n</div>\n"
    "<ul><li>one <code>x &lt; y</code></li></ul>\n<h3 id=\"later\">Later</h3>\n<p>after</p>\n"
)


def sections(html: str) -> list[tuple[str | None, str, str]]:
    """What mkdocs-material's search index takes from `html`: (id, title, text) per section."""
    parser = Parser()
    parser.feed(html)
    parser.close()
    return [(s.id, "".join(s.title).strip(), "".join(s.text).strip()) for s in parser.data]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_search_reads_the_same_text_and_sections_from_the_copy():
    full, copy = sections(CARD), sections(search_copy(CARD))
    assert [(i, t) for i, t, _ in full] == [(i, t) for i, t, _ in copy]
    assert [squeezed(x) for _, _, x in full] == [squeezed(x) for _, _, x in copy]
    assert len(search_copy(CARD)) < len(CARD) / 2


def test_the_copy_keeps_cells_apart_and_phrases_together():
    text = sections(search_copy(CARD))[0][2]
    assert "Incident Commander Ana Commander" in text  # search itself reads "Incident CommanderAna Commander"
    assert "Incident CommanderAna" in sections(CARD)[0][2]
    assert "2x, +21 d originally due" in text
    assert "Services: checkout &amp; more" in text  # an inline tag ends no word; entities stay entities
    assert "<code>x &lt; y</code>" in text


def test_a_block_that_hides_part_of_itself_from_search_is_given_as_it_is():
    html = '<div data-search-exclude><table><tr><td>secret</td></tr></table></div><p>shown</p>'
    assert search_copy(html) == html


def with_material_search(root: Path) -> Path:
    """The fixture with mkdocs-material's search plugin listed, as a site from before Pagefind:
    the card's search copy is made only for it (the plugin warns about it, so not --strict)."""
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("plugins:\n", "plugins:\n  - search\n"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = with_material_search(copy_fixture(tmp_path_factory.mktemp("search-copy")))
    result = build_site(root)
    assert result.returncode == 0, result.stderr
    assert "builds an index the site does not use" in result.stderr
    return root / "site"


@pytest.mark.slow
def test_built_pages_hold_the_card_and_the_index_its_text(built: Path):
    page = (built / "2024" / "2024-03-05-checkout-outage" / "index.html").read_text(encoding="utf-8")
    assert page.count('<div class="ft-card">') == 1 and "followthrough: card for search" not in page
    card = page[page.index('<div class="ft-card">') : page.index("<h2", page.index('<div class="ft-card">'))]
    assert "<table>" in card and "<a href=" in card
    index = json.loads((built / "search" / "search_index.json").read_text(encoding="utf-8"))
    first = next(d for d in index["docs"] if d["location"] == "2024/2024-03-05-checkout-outage/")
    # Every character search would have read from the card itself is in the index, in order.
    assert squeezed(sections(card)[0][2]) in squeezed(first["text"])
    assert "Incident Commander Ana Commander" in first["text"]


@pytest.mark.slow
def test_a_build_leaves_no_object_frozen(built: Path):
    import gc

    # The plugin freezes the loaded workspace for the build's page steps; a long `mkdocs serve`
    # must get it back to the collector after each build, or every rebuild would leak the last.
    assert gc.get_freeze_count() == 0


@pytest.mark.slow
def test_a_plugin_that_drops_the_cards_marks_stops_the_build_naming_the_page(tmp_path: Path):
    root = with_material_search(copy_fixture(tmp_path))
    # MkDocs runs hooks after the plugins of the same priority: this one cleans the content
    # followthrough has just made, as an HTML minifier would.
    (root / "strip_comments.py").write_text(
        "import re\n\ndef on_page_content(html, **kwargs):\n    return re.sub(r'<!--.*?-->', '', html, flags=re.S)\n", encoding="utf-8"
    )
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "hooks:\n  - strip_comments.py\n", encoding="utf-8")
    result = build_site(root)
    assert result.returncode == 1
    assert re.search(r"20\d\d/[\w-]+\.md: the header card could not be put in: a plugin after followthrough", result.stderr), result.stderr
    assert "Traceback" not in result.stderr
