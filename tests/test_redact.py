"""The one redaction `sync` and `report` share: which parts of a URL are secret, and masking them."""

from __future__ import annotations

import io

import pytest

from followthrough.core.sync.api_url import without_credentials
from followthrough.trackers.redact import MASK, Redacting, redact, url_secrets

WEBHOOK = "https://hooks.slack.com/services/T0001ABCD/B0002EFGH/XyZsecret0123456789abcd"


def test_a_webhook_is_masked_in_every_form_a_server_may_echo() -> None:
    secrets = url_secrets(WEBHOOK, whole=True)
    for echoed in (WEBHOOK, "/services/T0001ABCD/B0002EFGH/XyZsecret0123456789abcd", "services/T0001ABCD/B0002EFGH/XyZsecret0123456789abcd", "XyZsecret0123456789abcd"):
        shown = redact(f"invalid_payload: {echoed}.", secrets)
        assert "XyZsecret" not in shown and MASK in shown
    assert redact("no_service", secrets) == "no_service"


def test_a_percent_encoded_echo_is_masked_too() -> None:
    url = "https://relay.example/hook/ab%2Fcd%3Dsecret"
    secrets = url_secrets(url, whole=True)
    assert "cd=secret" not in redact("got ab/cd=secret", secrets)


def test_credentials_in_a_url() -> None:
    url = "https://robot:pa55-word-x@ghe.example/api/v3"
    assert set(url_secrets(url)) == {"robot:pa55-word-x", "pa55-word-x"}
    assert "robot" not in url_secrets(url)  # a user name alone is no secret, and a common word
    assert without_credentials(url) == "https://ghe.example/api/v3"
    assert url_secrets("https://ghp_tokenonly1234@ghe.example/api") == ["ghp_tokenonly1234"]
    assert url_secrets("https://api.github.com") == []


@pytest.mark.parametrize("bad", ["http://[::1", "https://[fe80::1/x", ""])
def test_a_url_that_does_not_parse_is_all_secret_when_it_is_one(bad: str) -> None:
    assert url_secrets(bad, whole=True) == ([bad] if bad else [])
    assert without_credentials(bad) == bad


def test_the_stream_masks_the_longest_secret_first_and_ignores_short_ones() -> None:
    out = io.StringIO()
    stream = Redacting(out, ["abc", "token-1234", "token-1234-and-more"])
    stream.write("token-1234-and-more / token-1234 / abc\n")
    assert out.getvalue() == f"{MASK} / {MASK} / abc\n"
