"""The trust ledger: promises, deposits the partner confirms, consistency."""
