"""PySide6 user interface over the ``desktop`` core (imports desktop, never the reverse)."""
