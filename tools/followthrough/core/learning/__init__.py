"""Learning across incidents: what one postmortem shares with the others (similar ones to link,
the links between them both ways), fixes that did not prevent a recurrence, whether done fixes
were shown to work, and the contributing factors named across them, and who has held which incident role."""
