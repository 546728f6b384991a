"""Qt-free evented state: documents, playback clock, selection, edit history, autosave."""
