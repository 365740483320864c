"""The caps that keep the learning pages small, on `Site.pages()` without MkDocs: a postmortem's
notice names 10 earlier incidents and says how many more; the Recurrences and service pages list
the newest cases and say how many are left out."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from followthrough.core.pages import paths
from followthrough.workspace import load_workspace

from .learning_repo import FIRST, SECOND, learning_repo

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The learning repo with 11 copies of the first incident, one a year from 2014 to 2024, each
    with the same prevent item in progress: the second incident (2025-06-10) has 12 earlier ones."""
    root = learning_repo(tmp_path_factory.mktemp("caps") / "repo")
    first = (root / "postmortems" / f"{FIRST}.md").read_text(encoding="utf-8")
    for year in range(2014, 2025):
        copy = first.replace("2025-", f"{year}-").replace("\ntitle: Tillpoint", f"\ntitle: Copy {year} Tillpoint")
        folder = root / "postmortems" / str(year)
        folder.mkdir(exist_ok=True)
        (folder / f"{year}-04-10-copy.md").write_text(copy, encoding="utf-8")
    return root


def test_a_notice_names_ten_earlier_incidents_and_counts_the_rest(root: Path) -> None:
    site = load_workspace(root / "mkdocs.yml", today=TODAY, refuse_errors="no pages").site()
    second = site.find(f"{SECOND}.md")
    assert second is not None
    card = site.card_html(second)
    assert card.count("<li>") == 10
    assert "And 2 more earlier incidents" in card
    assert "Copy 2016 Tillpoint" in card and "Copy 2015" not in card  # newest earlier first


def test_the_recurrences_and_service_pages_list_the_newest_cases(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "RECURRENCE_ROWS", 5)
    pages = load_workspace(root / "mkdocs.yml", today=TODAY, refuse_errors="no pages").site().pages()
    # Every copy sees the earlier copies and the first; the second sees all twelve: 12 + 66 cases.
    recurrences = pages[paths.RECURRENCES]
    assert "78 cases: 12 incidents started" in recurrences
    assert "And 73 earlier cases, not listed here" in recurrences
    service = pages["by-service/payments-gateway.md"]
    assert service.count("<li>") == 1 and "And 77 earlier cases." in service
