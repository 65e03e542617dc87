"""The mirroring dialogue: a guided listening exercise, turn by turn, live for both partners."""
