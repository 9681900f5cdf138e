"""Curated YAML -> validated records -> a Dataset ready to be written."""
