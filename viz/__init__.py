"""persecution-graph viz."""
