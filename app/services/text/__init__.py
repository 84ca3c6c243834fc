"""Text as data, with no database: folding for matching, the language a text is in, texts kept
per UN language, and hints of personal data."""
