"""Root test configuration: Qt must never need a display."""

import os

# Must be set before Qt loads anywhere (pytest-qt has no option for it).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GIAITRINH_TESTING", "1")
