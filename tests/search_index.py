"""Reading a built site's Pagefind index as a reader's browser gets it: every file of `pagefind/`
un-gzipped (fragments are one page each: its URL, indexed text, meta and filters as JSON)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before each decompressed file


def decoded(path: Path) -> bytes:
    data = path.read_bytes()
    try:
        data = gzip.decompress(data)
    except OSError:
        return data  # the loader, the UI scripts, the entry JSON: not compressed
    return data[len(SIGNATURE) :] if data.startswith(SIGNATURE) else data


def fragments(site: Path) -> list[dict[str, Any]]:
    """One dict per indexed page: url, content, meta, filters, ..."""
    return [json.loads(decoded(f)) for f in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment"))]


def index_bytes(site: Path) -> bytes:
    """Everything the index holds, decompressed, concatenated: what a leak would be found in."""
    files = [f for f in sorted((site / "pagefind").rglob("*")) if f.is_file() and f.suffix in (".pf_fragment", ".pf_index", ".pf_filter", ".pf_meta", ".json")]
    return b"\n".join(decoded(f) for f in files)


def pages_with(site: Path, word: str) -> set[str]:
    """URLs of the indexed pages whose text has `word` (case-insensitive)."""
    return {f["url"] for f in fragments(site) if word.lower() in f["content"].lower()}
