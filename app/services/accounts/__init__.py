"""Staff accounts (passwords, second factor, tokens) and the audit log."""
