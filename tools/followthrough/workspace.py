"""Where a repo's settings were found, and what they say: importable without MkDocs.

`config` builds a LoadedConfig with MkDocs' own config classes; `config_cache` hands one back
to `followthrough lint` without them, so a pre-commit run does not pay for importing MkDocs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followthrough.core.settings import Settings

CONFIG_FILE = "mkdocs.yml"


@dataclass(frozen=True)
class LoadedConfig:
    root: Path  # the folder holding mkdocs.yml (or the working folder when there is none)
    config_file: Path | None
    docs_dir: Path
    site_url: str
    plugin: Any  # config.PluginConfig; None when read back from the lint cache (lint needs only `settings`)
    settings: Settings
    use_directory_urls: bool = True  # MkDocs' setting: page URLs end in '/' or '.html'


def find_config(start: Path) -> Path | None:
    """mkdocs.yml in `start` or the nearest folder above it."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None
