"""The `site` section of the plugin's settings, validated with MkDocs' own config options.

    plugins:
      - followthrough:
          site:
            latest: 10               # postmortems listed on the home page
            due_soon_days: 7         # "due soon" means due today or within this many days
            review_target_hours: 48  # postmortem review latency target, from `resolved`
            content_security_policy: true  # true: the default policy; false: none; or a policy
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c

from followthrough.core.errors import ConfigError
from followthrough.core.metrics import DUE_SOON_DAYS, REVIEW_TARGET_HOURS
from followthrough.core.pages.csp import DEFAULT_POLICY


class SiteConfig(base.Config):
    latest = c.Type(int, default=10)
    due_soon_days = c.Type(int, default=DUE_SOON_DAYS)
    review_target_hours = c.Type(int, default=REVIEW_TARGET_HOURS)
    content_security_policy = c.Type((bool, str), default=True)


@dataclass(frozen=True, slots=True)
class SiteOptions:
    latest: int = 10
    due_soon_days: int = DUE_SOON_DAYS
    review_target_hours: int = REVIEW_TARGET_HOURS
    # The page's Content-Security-Policy without the theme's script hashes; "" for none.
    content_security_policy: str = DEFAULT_POLICY


def site_options(section: Any, where: str) -> SiteOptions:
    """Validate the raw `site` mapping; every bad key is reported at once, naming the setting."""
    cfg = SiteConfig()
    cfg.load_dict(section or {})
    errors, warnings = cfg.validate()
    # An unknown key is only a warning to MkDocs; here it is an error, since it is nearly always a typo.
    problems = [f"{where}: plugins.followthrough.site.{key}: {err}" for key, err in (*errors, *warnings)]
    if not errors:
        for key in ("latest", "due_soon_days", "review_target_hours"):
            if cfg[key] < 0:
                problems.append(f"{where}: plugins.followthrough.site.{key}: must be 0 or more, got {cfg[key]}")
        policy = cfg.content_security_policy
        if isinstance(policy, str) and (not policy.strip() or any(ord(ch) < 32 for ch in policy)):
            problems.append(f"{where}: plugins.followthrough.site.content_security_policy: a policy on one line, or false for none")
    if problems:
        raise ConfigError("\n".join(problems))
    policy = cfg.content_security_policy
    csp = DEFAULT_POLICY if policy is True else "" if policy is False else policy.strip()
    return SiteOptions(cfg.latest, cfg.due_soon_days, cfg.review_target_hours, csp)
