"""What the postmortems teach taken together: fixes that did not prevent a recurrence, whether
done fixes were shown to work, and the contributing factors named across them."""
