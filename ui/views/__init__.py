"""Views of the desktop window."""
