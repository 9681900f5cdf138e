"""persecution-graph api."""
