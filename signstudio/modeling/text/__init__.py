"""Text as the models read it: the words to spell, the frozen MiniLM encoder, text conditioning."""
