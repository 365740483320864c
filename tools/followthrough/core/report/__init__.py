"""Overdue and completion reports: built from `metrics` (the site's figures), rendered as
Markdown, plain text, JSON or Slack Block Kit, and delivered by `post` (GitHub issue, Slack).

`build` and the renderers are pure; `post` is the only part that touches the network.
"""
