"""Name analysis, candidate index, scoring and explanations: screening against the active lists."""
