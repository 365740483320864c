"""The shell's network side, for `sync` and `report` alike: Jira, GitHub and Slack through their
official clients (`jira_tracker`, `github_tracker`, `report_issue`, `slack_webhook`), with one
retry policy and clock (`retry`), one reading of failed requests (`http`), one redaction of
secrets (`redact`), and `engine`, which runs sync's plan against the clients."""
