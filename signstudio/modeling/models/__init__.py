"""The sign production models, one module per family (the registry imports them on demand)."""
