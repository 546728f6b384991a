"""Scoring generated signing: the evaluators (FGD encoder, back-translation), the model tables and
the report of the shipped models, the loss comparison."""
