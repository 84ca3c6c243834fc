"""Reporting to the reference group: counts, exports, Word summaries, the views behind a code,
archived rounds and their comparison."""
