"""A guided apology: written in private, sent as a letter, its change kept as a promise."""
