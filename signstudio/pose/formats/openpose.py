"""Placeholder: filled in by the formats work."""
