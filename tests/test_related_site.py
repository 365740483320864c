"""Related incidents on each postmortem page, both ways: the pure map (core.learning.linked),
`followthrough pages --out` (source links) and a real `mkdocs build` of the fixture site."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from followthrough.core.learning.linked import linked_postmortems
from followthrough.core.model import Postmortem
from followthrough.core.urls import relative_source, relative_url
from followthrough.workspace import load_workspace

from .site_builds import SITE_TODAY, build_site, copy_fixture

LOGIN = "2023/2023-11-03-login-errors"
CHECKOUT = "2024/2024-03-05-checkout-outage"
SEARCH = "2024/2024-06-01-search-slow"
RLO = "\u202e"


def pm(pm_id: str, year: int, related: tuple[str, ...] = (), recurrence_of: str | None = None) -> Postmortem:
    return Postmortem(path=f"{pm_id}.md", id=pm_id, title=pm_id.upper(), started=datetime(year, 1, 1, tzinfo=timezone.utc), related=related, recurrence_of=recurrence_of)


def test_links_both_ways_once_each_oldest_first() -> None:
    a, b = pm("a", 2020), pm("b", 2021, related=("a", "c", "ghost", "b"), recurrence_of="a")
    c = pm("c", 2022, related=("b",))
    linked = linked_postmortems([c, b, a])
    assert [(link.pm.id, link.relations) for link in linked["a"]] == [("b", ("recurred-as", "named-by"))]
    assert [(link.pm.id, link.relations) for link in linked["b"]] == [("a", ("recurrence-of", "related")), ("c", ("related", "named-by"))]
    assert [(link.pm.id, link.relations) for link in linked["c"]] == [("b", ("related", "named-by"))]
    assert linked["a"][0].words == "recurred as this later incident; names this one as related"
    assert "ghost" not in linked and all(link.pm.id != "b" for link in linked["b"])  # no such postmortem; never itself
    assert "d" not in linked_postmortems([a, pm("d", 2023)])  # no link: no entry


def linked_repo(root: Path) -> Path:
    """The fixture site with the checkout outage a recurrence of the login errors, and the slow
    search naming the checkout outage as related."""
    docs = root / "docs"
    checkout = docs / f"{CHECKOUT}.md"
    checkout.write_text(checkout.read_text().replace("\nstarted:", "\nrecurrence_of: 2023-11-03-login-errors\nstarted:", 1))
    search = docs / f"{SEARCH}.md"
    text = search.read_text().replace("\nstarted:", "\nrelated: [2024-03-05-checkout-outage]\nstarted:", 1)
    # A right-to-left override left open in a title: it must not reverse the words after the link.
    search.write_text(text.replace("title: Search slow for some users", f'title: "Search slow {RLO}for some users"', 1))
    return root


def related_block(html: str) -> str:
    found = re.search(r'<div class="ft-related">(.*?)</div>', html, re.S)
    assert found, "no related block"
    return found.group(1)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = linked_repo(copy_fixture(tmp_path_factory.mktemp("related")))
    result = build_site(root, strict=True)
    assert result.returncode == 0, result.stderr
    return root / "site"


@pytest.mark.slow
def test_each_page_lists_its_links_both_ways(built: Path) -> None:
    checkout = related_block((built / CHECKOUT / "index.html").read_text())
    here = f"{CHECKOUT}.md"
    assert f'href="{relative_url(f"{LOGIN}.md", here)}"' in checkout
    assert f'href="{relative_url(f"{SEARCH}.md", here)}"' in checkout
    assert checkout.index("Login errors") < checkout.index("Search slow")  # oldest first
    assert "this is a recurrence of it" in checkout and "names this one as related" in checkout
    login = related_block((built / LOGIN / "index.html").read_text())
    assert "recurred as this later incident" in login
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Checkout" in login and "<script>" not in login  # its title is the author's
    search = related_block((built / SEARCH / "index.html").read_text())
    assert "named as related here" in search and "(2024-03-05, incident)" in search
    # The title is isolated (`dir="auto"`), so its open override ends with it, not with the line.
    isolated = re.search(r'<span dir="auto"><a href="[^"]*search-slow/">([^<]*)</a></span> <small>\(2024-06-01, incident\): names this one as related', checkout)
    assert isolated and RLO in isolated.group(1), checkout
    game_day = (built / "2024" / "2024-05-20-game-day-db-failover" / "index.html").read_text()
    assert "ft-related" not in game_day  # linked with nothing: no block


def test_pages_out_links_the_source_files(tmp_path: Path) -> None:
    root = linked_repo(copy_fixture(tmp_path))
    workspace = load_workspace(root / "mkdocs.yml", today=datetime.fromisoformat(SITE_TODAY).date())
    pages = workspace.site(link_form="source").pages(include_postmortems=True)
    block = related_block(pages[f"{LOGIN}.md"])
    assert f'href="{relative_source(f"{CHECKOUT}.md", f"{LOGIN}.md")}"' in block


def test_a_postmortem_named_by_many_lists_some_and_counts_the_rest() -> None:
    from followthrough.core.learning.linked import SHOWN_LINKS, shown_links

    hub = pm("hub", 2020, related=("own",))
    own = pm("own", 2019)
    namers = [pm(f"n{i:02}", 2021 + i, related=("hub",)) for i in range(SHOWN_LINKS + 5)]
    links = linked_postmortems([hub, own, *namers])["hub"]
    shown, more = shown_links(links)
    assert more == 6 and len(shown) == SHOWN_LINKS
    # The one it names itself stays; of those naming it, the most recent; oldest first on the page.
    assert [link.pm.id for link in shown] == ["own", *(f"n{i:02}" for i in range(6, SHOWN_LINKS + 5))]
    assert shown_links(links[:SHOWN_LINKS]) == (links[:SHOWN_LINKS], 0)


def test_the_page_of_a_postmortem_named_by_many_counts_the_rest(tmp_path: Path) -> None:
    from followthrough.core.learning.linked import SHOWN_LINKS

    root = copy_fixture(tmp_path)
    source = (root / "docs" / f"{SEARCH}.md").read_text()
    for i in range(SHOWN_LINKS + 3):
        text = source.replace("title: Search slow for some users", f"title: Search slow again {i}", 1)
        (root / "docs" / "2024" / f"2024-06-01-search-slow-{i:02}.md").write_text(text.replace("\nstarted:", "\nrelated: [2023-11-03-login-errors]\nstarted:", 1))
    workspace = load_workspace(root / "mkdocs.yml", today=datetime.fromisoformat(SITE_TODAY).date())
    assert not workspace.repo.errors, workspace.repo.errors
    block = related_block(workspace.site(link_form="source").pages(include_postmortems=True)[f"{LOGIN}.md"])
    assert block.count("<li>") == SHOWN_LINKS + 1
    assert "and 3 more related incidents, not listed here" in block


def test_a_linked_near_miss_is_named_as_pages_say_it(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    source = (root / "docs" / f"{SEARCH}.md").read_text()
    near = source.replace("title: Search slow for some users", "title: Search nearly slow", 1).replace("\nstarted:", "\nkind: near-miss\nrelated: [2023-11-03-login-errors]\nstarted:", 1)
    # A near miss has its own sections: rename the incident's two that it does not have.
    near = near.replace("## Impact", "## What could have happened", 1).replace("## Root cause", "## What stopped it", 1)
    (root / "docs" / "2024" / "2024-06-01-search-nearly-slow.md").write_text(near)
    workspace = load_workspace(root / "mkdocs.yml", today=datetime.fromisoformat(SITE_TODAY).date())
    assert not workspace.repo.errors, workspace.repo.errors
    block = related_block(workspace.site(link_form="source").pages(include_postmortems=True)[f"{LOGIN}.md"])
    assert "(2024-06-01, near miss)" in block and "near-miss" not in block
