"""The benchmarks' synthetic corpus: lint-clean and reproducible, so the benchmarks measure real work."""

from __future__ import annotations

from datetime import date

from benchmarks.gen_corpus import generate
from followthrough.config.load import load_config
from followthrough.files.repo import load_repo


def test_corpus_is_lint_clean_and_reproducible(tmp_path):
    small = generate(tmp_path / "a" / "postmortems", 12, seed=3)
    larger = generate(tmp_path / "b" / "postmortems", 15, seed=3)
    assert len(small) == 12 and len(larger) == 15
    for f in small:
        twin = tmp_path / "b" / f.relative_to(tmp_path / "a")
        assert twin.read_bytes() == f.read_bytes()  # the first 12 of 15 are the same files
    repo = load_repo(load_config(None, start=tmp_path / "b"), today=date(2026, 11, 23))
    assert len(repo.postmortems) == 15
    assert repo.findings == ()
