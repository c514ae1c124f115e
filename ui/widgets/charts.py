"""The report's charts in the window, drawn with QPainter (no plotting library): what a head reads
at a glance (issue #14 item 6) — matters received and ended per month, the share of decisions made
on time, and the matters overdue per officer at the cut-off. The same figures as the PDF's charts
(``desktop.reports.written.charts_of``)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

RECEIVED = QColor("#2f6db5")
ENDED = QColor("#7fb24a")
ON_TIME = QColor("#d9822b")
OVERDUE = QColor("#c0392b")
GRID = QColor("#d0d0d0")
TEXT = QColor("#202020")


def count_axis_top(largest: int) -> int:
    """The top of a count axis with four steps: a multiple of 4 at least ``largest``, so every
    gridline is a whole number (a top of 21 labelled the lines 5, 10, 16, 21)."""
    return 4 * max(1, -(-largest // 4))


def _month(label: str) -> str:
    """"2026-03" → "03/2026"."""
    year, _, month = label.partition("-")
    return f"{month}/{year}" if month else label


class ReportCharts(QWidget):
    """Three panels side by side; ``set_charts(None)`` shows the empty state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.charts = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(240)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(1200, 360)

    def set_charts(self, charts) -> None:
        self.charts = charts
        self.update()

    # -- what is drawn (kept as data so a test can read it) -------------------------------------
    def months(self) -> list[tuple[str, int, int]]:
        return [(_month(m), received, ended) for m, received, ended, _, _ in (self.charts.months if self.charts else ())]

    def on_time_rates(self) -> list[tuple[str, float | None]]:
        return [(_month(m), (on_time / decided) if decided else None)
                for m, _, _, on_time, decided in (self.charts.months if self.charts else ())]

    def overdue(self) -> list[tuple[str, int]]:
        return list(self.charts.overdue if self.charts else ())[:8]

    # -- painting -------------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), Qt.GlobalColor.white)
        w, h = self.width(), self.height()
        gap = 16
        third = (w - 4 * gap) / 3
        panels = [QRectF(gap + i * (third + gap), gap, third, h - 2 * gap) for i in range(3)]
        self._bars(p, panels[0])
        self._rates(p, panels[1])
        self._officers(p, panels[2])
        p.end()

    def _title(self, p: QPainter, rect: QRectF, text: str) -> QRectF:
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        p.setPen(TEXT)
        p.drawText(rect.adjusted(0, 0, 0, -(rect.height() - 22)), Qt.AlignmentFlag.AlignLeft, text)
        p.setFont(self.font())
        return rect.adjusted(0, 28, 0, 0)

    def _empty(self, p: QPainter, rect: QRectF, text: str = "Chưa có số liệu trong kỳ.") -> None:
        p.setPen(QColor("#777"))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _axes(self, p: QPainter, plot: QRectF, top: float, label) -> None:
        p.setPen(QPen(GRID, 1))
        for i in range(5):
            y = plot.bottom() - plot.height() * i / 4
            p.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            p.setPen(TEXT)
            p.drawText(QRectF(plot.left() - 44, y - 8, 40, 16), Qt.AlignmentFlag.AlignRight, label(top * i / 4))
            p.setPen(QPen(GRID, 1))

    def _bars(self, p: QPainter, rect: QRectF) -> None:
        body = self._title(p, rect, "Tiếp nhận và giải quyết xong theo tháng")
        data = self.months()
        if not data:
            return self._empty(p, body)
        plot = body.adjusted(48, 0, -4, -44)
        top = count_axis_top(max(max(r, e) for _, r, e in data))
        self._axes(p, plot, top, lambda v: f"{v:.0f}")
        slot = plot.width() / len(data)
        bar = max(2.0, slot * 0.35)
        for i, (month, received, ended) in enumerate(data):
            x = plot.left() + i * slot + slot * 0.12
            for j, (value, color) in enumerate(((received, RECEIVED), (ended, ENDED))):
                height = plot.height() * value / top
                p.fillRect(QRectF(x + j * bar, plot.bottom() - height, bar, height), color)
            p.setPen(TEXT)
            p.drawText(QRectF(plot.left() + i * slot, plot.bottom() + 2, slot, 16), Qt.AlignmentFlag.AlignCenter,
                       month[:2])
        self._legend(p, body, [("Tiếp nhận", RECEIVED), ("Giải quyết xong", ENDED)])

    def _rates(self, p: QPainter, rect: QRectF) -> None:
        body = self._title(p, rect, "Tỷ lệ giải quyết đúng hạn")
        data = [(m, r) for m, r in self.on_time_rates() if r is not None]
        if not data:
            return self._empty(p, body, "Chưa có quyết định, văn bản giải quyết trong kỳ.")
        plot = body.adjusted(48, 0, -4, -44)
        self._axes(p, plot, 1.0, lambda v: f"{v:.0%}")
        slot = plot.width() / len(data)
        p.setPen(QPen(ON_TIME, 2))
        points = [(plot.left() + (i + 0.5) * slot, plot.bottom() - plot.height() * r) for i, (_, r) in enumerate(data)]
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            p.drawLine(int(x1), int(y1), int(x2), int(y2))
        for (x, y), (month, rate) in zip(points, data):
            p.setBrush(ON_TIME)
            p.drawEllipse(QRectF(x - 3, y - 3, 6, 6))
            p.setPen(TEXT)
            p.drawText(QRectF(x - slot / 2, plot.bottom() + 2, slot, 16), Qt.AlignmentFlag.AlignCenter, month[:2])
            p.setPen(QPen(ON_TIME, 2))
        self._legend(p, body, [("Đúng hạn / số đã giải quyết", ON_TIME)])

    def _officers(self, p: QPainter, rect: QRectF) -> None:
        body = self._title(p, rect, "Quá hạn tại ngày chốt, theo cán bộ")
        data = self.overdue()
        if not data:
            return self._empty(p, body, "Không có vụ việc quá hạn tại ngày chốt.")
        top = max(n for _, n in data)
        row = min(28.0, body.height() / len(data))
        name_width = body.width() * 0.45
        for i, (name, count) in enumerate(data):
            y = body.top() + i * row
            p.setPen(TEXT)
            p.drawText(QRectF(body.left(), y, name_width - 6, row), Qt.AlignmentFlag.AlignVCenter
                       | Qt.AlignmentFlag.AlignRight, p.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight,
                                                                                 int(name_width - 8)))
            length = (body.width() - name_width - 36) * count / top
            p.fillRect(QRectF(body.left() + name_width, y + row * 0.2, length, row * 0.6), OVERDUE)
            p.drawText(QRectF(body.left() + name_width + length + 4, y, 32, row), Qt.AlignmentFlag.AlignVCenter,
                       str(count))

    def _legend(self, p: QPainter, body: QRectF, items) -> None:
        x = body.left() + 48
        y = body.bottom() - 18
        for text, color in items:
            p.fillRect(QRectF(x, y + 3, 10, 10), color)
            p.setPen(TEXT)
            width = p.fontMetrics().horizontalAdvance(text)
            p.drawText(QRectF(x + 14, y, width + 4, 16), Qt.AlignmentFlag.AlignLeft, text)
            x += width + 32
