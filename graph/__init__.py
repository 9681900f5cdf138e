"""The data model and database access."""
