"""The `site` section: what the generated pages show, and the pages' Content-Security-Policy.

    plugins:
      - followthrough:
          site:
            latest: 10               # postmortems listed on the home page
            due_soon_days: 7         # "due soon" means due today or within this many days
            review_target_hours: 48  # postmortem review latency target, from `resolved`
            content_security_policy: true  # true: the default policy; false: none; or a policy
"""

from __future__ import annotations

from typing import Iterable

from mkdocs.config import config_options as c

from followthrough.config.strict import Number, Problem, Strict
from followthrough.core.metrics import DUE_SOON_DAYS, REVIEW_TARGET_HOURS
from followthrough.core.pages.csp import DEFAULT_POLICY
from followthrough.core.pages.options import SiteOptions


class SiteSection(Strict):
    latest = Number(int, default=10)
    due_soon_days = Number(int, default=DUE_SOON_DAYS)
    review_target_hours = Number(int, default=REVIEW_TARGET_HOURS)
    content_security_policy = c.Type((bool, str), default=True)

    def checks(self) -> Iterable[Problem]:
        for key in ("latest", "due_soon_days", "review_target_hours"):
            if self[key] < 0:
                yield key, f"must be 0 or more, got {self[key]}"
        policy = self.content_security_policy
        if isinstance(policy, str) and (not policy.strip() or any(ord(ch) < 32 for ch in policy)):
            yield "content_security_policy", "a policy on one line, or false for none"


def site_options(section: SiteSection) -> SiteOptions:
    policy = section.content_security_policy
    csp = DEFAULT_POLICY if policy is True else "" if policy is False else policy.strip()
    return SiteOptions(section.latest, section.due_soon_days, section.review_target_hours, csp)
