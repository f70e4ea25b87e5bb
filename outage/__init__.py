"""outage."""
