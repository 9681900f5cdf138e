"""persecution-graph queries."""
