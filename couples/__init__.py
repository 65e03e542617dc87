"""People and the couple: accounts, partner linking, and the spaces two partners share."""
