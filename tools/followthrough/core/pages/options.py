"""What the site's `site` settings mean to the pages, as a plain value (read by `config.site`)."""

from __future__ import annotations

from dataclasses import dataclass

from followthrough.core.metrics import DUE_SOON_DAYS, REVIEW_TARGET_HOURS
from followthrough.core.pages.csp import DEFAULT_POLICY


@dataclass(frozen=True, slots=True)
class SiteOptions:
    latest: int = 10
    due_soon_days: int = DUE_SOON_DAYS
    review_target_hours: int = REVIEW_TARGET_HOURS
    # The page's Content-Security-Policy without the theme's script hashes; "" for none.
    content_security_policy: str = DEFAULT_POLICY
