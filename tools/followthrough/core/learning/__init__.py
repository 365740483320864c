"""Learning across incidents: what one postmortem shares with the others (similar ones to link,
the links between them both ways)."""
