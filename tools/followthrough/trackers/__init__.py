"""The shell's network side: Jira, GitHub and Slack through their official clients, with one
retry policy (Retry-After honoured) and one redaction of secrets, for `sync` and `report` alike."""
