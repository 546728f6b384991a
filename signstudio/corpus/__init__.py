"""The built-in real corpus: lexicon recordings -> letters, words, prompts, splits, cache."""
