"""The PySide6 studio: the only layer that imports Qt or OpenGL."""
