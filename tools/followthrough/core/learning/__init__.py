"""What the postmortems teach across incidents: pure functions over postmortems, for the learning pages."""
