"""Use cases over a workspace: each one a single db.atomic() with its audit row."""
