"""The strategy's text on the platform (issue #20): `public` (read, compare, comment on a
paragraph, the traceability CSV) and `revision` (the reference group drafts the next
version, admins import and publish). One blueprint per audience."""
