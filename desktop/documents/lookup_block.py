"""The lookup code on a citizen's receipt: its QR and the code in letters, under the signatures.

Drawn with reportlab's own QR code (``reportlab.graphics.barcode.qr``). The QR holds the code
only, as printed ("K7MX-3QPA"): a scanner typing it into the search box opens the case.
"""

from __future__ import annotations

from desktop.storage.lookup import display

QR_MM = 24


def lookup_flowables(code: str, text_width: float, st: dict) -> list:
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table

    shown = display(code)
    widget = QrCodeWidget(shown, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    size = QR_MM * mm
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    words = Paragraph(
        f"Mã tra cứu hồ sơ: <b>{shown}</b><br/>Khi hỏi về hồ sơ này, xin đọc hoặc xuất trình mã trên; "
        "mã không chứa thông tin cá nhân.", st["ritem"])
    table = Table([[drawing, words]], colWidths=[size + 4 * mm, text_width - size - 4 * mm])
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    return [Spacer(1, 10 * mm), table]
