"""Overdue and completion reports: built from `metrics` (the site's figures) and rendered as
Markdown, plain text, JSON or Slack Block Kit. Pure; delivering them (a GitHub issue, a Slack
message) is the shell's `trackers/report_issue` and `trackers/slack_webhook`.
"""
