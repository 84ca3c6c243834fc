"""Contributions: views arriving from the public (form, API, workshops, offline intake), and what
happens to contributors' personal data over time (retention, erasure)."""
