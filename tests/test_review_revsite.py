"""Review of the pages and links (revsite): hostile repo content against what the browser script
trusts, the short links and ticket labels, and `followthrough pages --out`'s source links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import ROOT
from .site_builds import build_site, copy_fixture

CHECKOUT = "docs/2024/2024-03-05-checkout-outage.md"
FORGED = '<p>Forged: <time class="ft-due" datetime="1999-01-01">1999-01-01</time></p>'


@pytest.mark.slow
def test_a_time_written_in_a_postmortem_body_is_not_counted_as_overdue(tmp_path: Path):
    """The sanitizer keeps `<time class=... datetime=...>` in a body, so the script must count only
    the due dates the card wrote: a body could otherwise make any sentence read 'N days overdue'."""
    root = copy_fixture(tmp_path)
    page = root / CHECKOUT
    page.write_text(page.read_text(encoding="utf-8") + "\n" + FORGED + "\n", encoding="utf-8")
    result = build_site(root, strict=False)
    assert result.returncode == 0, result.stderr
    html = (root / "site" / "2024" / "2024-03-05-checkout-outage" / "index.html").read_text(encoding="utf-8")
    script = (ROOT / "templates" / "site" / "followthrough.js").read_text(encoding="utf-8")
    selector = re.search(r'querySelectorAll\("([^"]+)"\)', script).group(1)
    assert "data-ft-due" in selector, selector
    forged = re.search(r"Forged: (<time[^>]*>)", html)
    assert forged, html
    assert "data-ft-due" not in forged.group(1)
    # The card's own open items still carry the mark the script counts.
    assert re.search(r'<time class="ft-due" data-ft-due datetime="2024-03-18">', html)
