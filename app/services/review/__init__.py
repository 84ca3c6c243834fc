"""Review: moderators' decisions on submissions and their tags, and double coding with its
agreement figures."""
