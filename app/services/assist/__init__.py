"""Assistance to moderators and readers: suggested tags (lexicon and classifier), search, and
campaign folding."""
