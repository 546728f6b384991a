"""The signstudio command."""
