"""The suite survives adoption: no test reads the sample postmortems (see conftest's audit hook).

An organisation's first commit deletes postmortems/20*/ and writes its own people.yml; a test
that read them would fail from then on. These show the guard catches each way of reading them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import REPO_FIXTURE, ROOT, SAMPLES, SamplesRead, run_cli


def test_opening_or_listing_a_sample_fails_the_test() -> None:
    with pytest.raises(SamplesRead):
        (SAMPLES / "people.yml").read_text()
    with pytest.raises(SamplesRead):
        os.listdir(SAMPLES)
    with pytest.raises(SamplesRead):
        os.scandir(SAMPLES / "2026")


def test_a_command_that_would_read_the_samples_is_not_started(tmp_path: Path) -> None:
    with pytest.raises(SamplesRead):
        run_cli("lint", cwd=ROOT)  # finds the root mkdocs.yml, whose docs_dir is postmortems/
    with pytest.raises(SamplesRead):
        run_cli("lint", str(SAMPLES / "2026"), cwd=tmp_path)
    with pytest.raises(SamplesRead):
        run_cli("lint", "--config", str(ROOT / "mkdocs.yml"), cwd=tmp_path)


def test_the_shipped_files_and_the_fixtures_stay_readable(shipped: Path) -> None:
    assert (ROOT / "mkdocs.yml").read_text()
    assert sorted(os.listdir(REPO_FIXTURE / "postmortems"))
    result = run_cli("lint", cwd=shipped, env={"FOLLOWTHROUGH_TODAY": "2026-11-23"})
    assert result.code == 0, result.out + result.err
    assert "0 error(s), 0 warning(s)" in result.err
