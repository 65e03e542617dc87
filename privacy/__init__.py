"""What is mine stays mine: private reflection, sessions, my data, safety settings."""
