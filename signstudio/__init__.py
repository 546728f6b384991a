"""SignStudio: a desktop studio for sign language production."""

__version__ = "0.1.0"
