"""torch models: text encoders, SLP models, evaluators, training (imported lazily)."""
