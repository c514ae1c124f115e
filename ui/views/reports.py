"""The "Báo cáo" section: period and form, the form's table as printed (merged header levels,
numbered columns), a click on a figure lists the cases or receptions it counts, exports (Excel,
PDF, Word) and issuing the period's report. At a province: the consolidated table of the accepted
commune reports, and a drill-down to one commune's own figures (double-click its row, or pick it
under "Xã"), counted from the province's copy of its register, with a way back. ``install_menu`` (mounted by the main window with the
other optional modules) adds the section to the navigation, a "Báo cáo" menu with Excel export of
the register being looked at, and the reminder from 1/6 and 1/12 that a report is due.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QHeaderView, QLabel,
    QListWidget, QListWidgetItem, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from desktop.errors import UserError
from desktop.reports import periods as periods_mod
from desktop.reports.engine import TOTAL_KEY, ReportRun
from ui import file_dialogs
from ui.dialogs.guarded import OnWriter
from ui.errors import guarded, report as report_error
from ui.session import Session

log = logging.getLogger(__name__)

HEAD_BG = QBrush(QColor("#eef1f5"))


class ReportsView(QWidget, OnWriter):
    open_case = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.period_box = QComboBox()
        self.form_box = QComboBox()
        self.form_box.setMinimumWidth(330)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setVisible(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.cellDoubleClicked.connect(self._explain)
        self.table.cellClicked.connect(self._explain)
        buttons = QHBoxLayout()
        for text, slot in (("Xuất Excel…", self._export_xlsx), ("Xuất PDF…", lambda: self._export_doc("pdf")),
                           ("Xuất Word…", lambda: self._export_doc("docx")), ("Ban hành báo cáo…", self._issue)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        self.issue_button = b  # the last one: offered only to a role that may issue (the head)
        buttons.addWidget(self.saving_label())   # "Đang lưu…" while a report is issued on the writer
        from PySide6.QtWidgets import QCheckBox

        from desktop.storage.units import register_mode

        self.province = register_mode(session.db) == "province"
        self.consolidated = QCheckBox("Tổng hợp các xã (báo cáo đã chấp nhận)")
        self.consolidated.setVisible(self.province)
        self.consolidated.toggled.connect(self._consolidated_toggled)
        buttons.addWidget(self.consolidated)
        # the drill-down (province): a commune whose own figures are shown; None: the register's own unit
        self.unit_code: str | None = None
        self.unit_box = QComboBox()
        self.unit_box.setMinimumWidth(260)
        self.unit_label = QLabel("Xã:")
        self.back_button = QPushButton("← Bảng tổng hợp các xã")
        self.back_button.setToolTip("Trở lại bảng tổng hợp báo cáo đã chấp nhận của các xã")
        self.back_button.clicked.connect(self._back_to_consolidated)
        self.back_button.setVisible(False)
        buttons.addWidget(self.back_button)
        if self.province:
            board = QPushButton("Tình hình nộp báo cáo…")
            board.clicked.connect(self._completeness)
            buttons.addWidget(board)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(QLabel("Kỳ báo cáo:"))
        top.addWidget(self.period_box)
        top.addWidget(QLabel("Biểu:"))
        top.addWidget(self.form_box, 1)
        if self.province:
            top.addWidget(self.unit_label)
            top.addWidget(self.unit_box)
            self._fill_units()
            self.unit_box.currentIndexChanged.connect(self._unit_picked)
        else:
            self.unit_box.setVisible(False)
            self.unit_label.setVisible(False)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(buttons)
        lay.addWidget(self.info)
        from PySide6.QtWidgets import QTabWidget

        from ui.widgets.charts import ReportCharts

        self.charts = ReportCharts()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, "Bảng số liệu")
        self.tabs.addTab(self.charts, "Biểu đồ")
        lay.addWidget(self.tabs, 1)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #555;")
        lay.addWidget(self.hint)
        self.table.cellDoubleClicked.connect(self._drill_down)
        self.run: ReportRun | None = None
        self.report = None
        # Figures are counted off the GUI thread, on the view's own connection (its temporary
        # facts outlive one task): at 1,000,000 cases a period's facts and charts take seconds.
        self.busy = False
        self._rdb = None
        self._task = None
        self._request = None
        self._busy_note = QTimer(self, singleShot=True, interval=150)
        self._busy_note.timeout.connect(lambda: self.info.setText("Đang tính số liệu…"))
        self._fill_periods()
        self.period_box.currentIndexChanged.connect(self._period_changed)
        self.form_box.currentIndexChanged.connect(self._show_form)
        session.follow_changes(self, self._period_changed, today=True)
        self._period_changed()

    # -- pickers --------------------------------------------------------------------------------
    def _fill_periods(self) -> None:
        today = self.session.today()
        due = periods_mod.reminder(today)
        found = []
        for year in (today.year, today.year - 1):
            found += [p for p in periods_mod.periods_of_year(year) if p.start <= today]
        self.period_box.blockSignals(True)
        self.period_box.clear()
        for p in found:
            self.period_box.addItem(p.label, p.code)
        wanted = due.code if due else periods_mod.containing(today, "half").code
        self.period_box.setCurrentIndex(max(0, self.period_box.findData(wanted)))
        self.period_box.blockSignals(False)

    def period(self):
        return periods_mod.period(self.period_box.currentData())

    def _fill_units(self) -> None:
        """The communes the province knows, after its own figures."""
        from desktop.storage.sync_repo import communes_known
        from desktop.storage.units import local_unit

        self.unit_box.blockSignals(True)
        self.unit_box.clear()
        self.unit_box.addItem(f"{local_unit(self.session.db).name} (số liệu của sổ tỉnh)", "")
        for code, name in communes_known(self.session.db):
            self.unit_box.addItem(f"{name or code} ({code})", code)
        self.unit_box.setCurrentIndex(max(0, self.unit_box.findData(self.unit_code or "")))
        self.unit_box.blockSignals(False)

    # -- the province's drill-down ------------------------------------------------------------------
    def show_unit(self, code: str | None) -> None:
        """Show ``code``'s own figures (a commune, counted from the province's register), or the
        register's own unit with ``None``; the consolidated table is left for them."""
        self.unit_code = code or None
        self.unit_box.blockSignals(True)
        self.unit_box.setCurrentIndex(max(0, self.unit_box.findData(code or "")))
        self.unit_box.blockSignals(False)
        self.consolidated.blockSignals(True)
        self.consolidated.setChecked(False)
        self.consolidated.blockSignals(False)
        self.back_button.setVisible(self.unit_code is not None)
        self._period_changed()

    def _unit_picked(self, _index: int) -> None:
        self.show_unit(self.unit_box.currentData())

    def _back_to_consolidated(self) -> None:
        self.unit_code = None
        self.unit_box.blockSignals(True)
        self.unit_box.setCurrentIndex(0)
        self.unit_box.blockSignals(False)
        self.back_button.setVisible(False)
        self.consolidated.blockSignals(True)
        self.consolidated.setChecked(True)
        self.consolidated.blockSignals(False)
        self._period_changed()

    def _consolidated_toggled(self, checked: bool) -> None:
        if checked and self.unit_code is not None:
            self._back_to_consolidated()
        else:
            self._show_form()

    def _drill_down(self, row: int, col: int) -> None:
        """A double-click on a unit's row of the consolidated table opens that unit's own figures."""
        if self.report is None or not self.consolidated.isChecked():
            return
        index = row - self.report.form.header_depth() - 1
        rows = self.report.all_rows()
        if not 0 <= index < len(rows) or rows[index].key == TOTAL_KEY:
            return
        from desktop.storage.units import local_unit

        key = rows[index].key
        self.show_unit(None if key == local_unit(self.session.db).code else key)

    def _offer_issue(self) -> None:
        from desktop.security.principal import may

        from desktop.reports import submit
        from desktop.storage.units import local_unit

        p = self.period()
        why = ""
        if self.unit_code is not None:
            why = "Đang xem số liệu của một xã: chỉ ban hành báo cáo của đơn vị mình."
        elif not may(self.session.db, "document.issue"):
            why = "Chỉ Chủ tịch hoặc Phó Chủ tịch ký ban hành báo cáo."
        elif self.session.today() <= p.end:
            why = f"Kỳ chưa kết thúc: ban hành được từ ngày {p.end + timedelta(days=1):%d/%m/%Y}."
        else:
            try:
                previous = submit.latest(self.session.db, local_unit(self.session.db).code, p.code)
            except UserError:
                previous = None
            if previous is not None and previous.decision != "reopened":  # as submit.issue_report refuses
                why = f"Đã ban hành {previous.symbol}; chỉ ban hành lại khi tỉnh mở lại kỳ báo cáo."
        self.issue_button.setEnabled(not why)
        self.issue_button.setToolTip(why)

    # -- counting off the GUI thread ---------------------------------------------------------------
    def _report_db(self):
        """The view's own connection: usable from one worker task after another, never two at once."""
        if str(self.session.db.path) == ":memory:":
            return None
        if self._rdb is None:
            from desktop.storage.db import open_database

            self._rdb = open_database(self.session.db.path, create=False, migrate=False, any_thread=True)
            self.session.on_close(self._close_report_db)
        self._rdb.principal = self.session.db.principal  # whoever is logged in now
        return self._rdb

    def _close_report_db(self) -> None:
        if self._rdb is not None:
            self._rdb.close()
            self._rdb, self.run = None, None

    def _compute(self, work, done) -> None:
        """``work(db)`` on a worker with the view's connection, then ``done(result)`` here. One runs
        at a time; a request made meanwhile waits, and a newer one replaces it (only the last
        period or form picked is shown)."""
        self._request = (work, done)
        if self._task is None:
            self._next()

    def _next(self) -> None:
        work, done = self._request
        self._request = None
        db = self._report_db()
        self.busy = True
        self._busy_note.start()
        if db is None:  # an in-memory register has no second connection: counted here
            self._idle()
            result = guarded(self, lambda: work(self.session.db))
            if result is not None:
                done(result)
            return

        def finished(result) -> None:
            self._task = None
            if self._request is not None:
                self._next()
                return
            self._idle()
            done(result)

        def failed(exc) -> None:
            self._task = None
            if self._request is not None:
                self._next()
                return
            self._idle()
            report_error(self, exc)

        self._task = self.session.tasks.run(lambda _state: work(db), title="", on_done=finished, on_error=failed,
                                            cancellable=False, show_progress=False)

    def _idle(self) -> None:
        self.busy = False
        self._busy_note.stop()
        if self.info.text() == "Đang tính số liệu…":
            self.info.setText("")

    def _period_changed(self, *_args) -> None:
        self._offer_issue()
        p = self.period()
        if self.province:
            self._fill_units()
        unit, wanted = self.unit_code, self.form_box.currentData()
        consolidated = self.consolidated.isChecked()

        def work(db):
            from desktop.reports.written import charts_of

            run = ReportRun(db, p, unit)
            charts = charts_of(run)
            forms = run.forms()
            form_id = wanted if any(f.id == wanted for f in forms) else (forms[0].id if forms else None)
            report = run.compute(form_id) if form_id is not None and not consolidated else None
            return run, charts, forms, report

        self._compute(work, self._period_ready)

    def _period_ready(self, result) -> None:
        self.run, charts, forms, report = result
        self.charts.set_charts(charts)
        current = self.form_box.currentData()
        self.form_box.blockSignals(True)
        self.form_box.clear()
        for form in forms:
            self.form_box.addItem(f"{form.code} — {form.title.capitalize()}", form.id)
        self.form_box.setCurrentIndex(max(0, self.form_box.findData(current)))
        self.form_box.blockSignals(False)
        if report is not None and report.form.id == self.form_box.currentData():
            self._show_report(report)
        else:
            self._show_form()

    # -- the table --------------------------------------------------------------------------------
    def _show_form(self, *_args) -> None:
        if self.run is None or self.form_box.currentData() is None:
            return
        if self.consolidated.isChecked():   # the province's own figures are counted too: seconds at 1M
            from desktop.reports import submit

            p, form_id = self.period(), self.form_box.currentData()

            def consolidate(db):
                merged = submit.consolidate(db, p)
                return merged, next((r for r in merged.reports if r.form.id == form_id), None)

            def show(result) -> None:
                merged, report = result
                if report is not None:
                    self._show_report(report, merged)

            self._compute(consolidate, show)
            return
        run, form_id = self.run, self.form_box.currentData()
        self._compute(lambda _db: run.compute(form_id), self._show_report)

    def _show_report(self, report, merged=None) -> None:
        self.report = report
        if merged is not None:
            missing = ", ".join(n or c for c, n in merged.missing) or "không"
            self.info.setText(f"<b>{report.form.code}</b> — tổng hợp {report.period.label}: "
                              f"{len(merged.included)} xã có báo cáo đã chấp nhận; chưa có: {missing}")
            self.hint.setText("Bấm đúp vào dòng của một xã để xem số liệu riêng của xã đó.")
        else:
            self.hint.setText("Bấm vào một số liệu để xem các vụ việc, lượt tiếp mà số đó đếm.")
            self.info.setText(self._status_text(report))
        form = report.form
        leaves = form.leaves()
        depth = form.header_depth()
        rows = report.all_rows()
        t = self.table
        t.clearSpans()
        t.clear()
        t.setRowCount(depth + 1 + len(rows))
        t.setColumnCount(len(leaves) + 1)
        bold = QFont(t.font())
        bold.setBold(True)
        for cell in form.header():
            item = QTableWidgetItem(cell.text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setFont(bold)
            item.setBackground(HEAD_BG)
            t.setItem(cell.row, cell.col, item)
            if cell.rowspan > 1 or cell.colspan > 1:
                t.setSpan(cell.row, cell.col, cell.rowspan, cell.colspan)
        for c, text in enumerate(["MS", *form.numbering()]):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setBackground(HEAD_BG)
            t.setItem(depth, c, item)
        for r, row in enumerate(rows, start=depth + 1):
            label = QTableWidgetItem(row.label)
            if row.key == TOTAL_KEY:
                label.setFont(bold)
            t.setItem(r, 0, label)
            for c, leaf in enumerate(leaves, start=1):
                value = row.values.get(leaf.no)
                item = QTableWidgetItem("" if value is None else f"{value:,}".replace(",", "."))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                tip = f"({leaf.no}) {leaf.label}"
                if leaf.approximate:
                    tip += f"\nTính gần đúng: {leaf.approximate}"
                if not leaf.verified:
                    tip += "\nCột chưa đối chiếu với văn bản."
                if value is None:
                    tip += "\nSổ không theo dõi: đơn vị tự điền."
                item.setToolTip(tip)
                t.setItem(r, c, item)
        t.setColumnWidth(0, 230)
        for c in range(1, len(leaves) + 1):
            t.setColumnWidth(c, 78)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        t.resizeRowsToContents()

    def _status_text(self, report) -> str:
        from desktop.reports import submit
        from desktop.reports.forms import approximate_columns, unverified_columns

        p = report.period
        parts = [f"<b>{report.form.code}</b> — {p.label}"]
        if self.unit_code is not None:
            parts[0] += f" — <b>{report.unit_name}</b> ({report.unit_code}), tính từ sổ của tỉnh"
        issued = submit.latest(self.session.db, report.unit_code, p.code)
        if self.unit_code is not None:
            parts.append(self._against_issued(report, issued))
        elif issued is None:
            parts.append("chưa ban hành")
        else:
            word = {"accepted": "tỉnh đã chấp nhận: kỳ đã khóa, mọi thay đổi về trước ngày chốt phải ghi lý do "
                                "điều chỉnh", "reopened": f"tỉnh đã mở lại ({issued.reason})",
                    None: "chờ tỉnh xem xét"}[issued.decision]
            parts.append(f"đã ban hành {issued.symbol} ngày {issued.issued_on:%d/%m/%Y}, {word}")
        approx = sum(1 for u in approximate_columns() if u.form == report.form.code)
        unverified = sum(1 for u in unverified_columns() if u.form == report.form.code)
        if approx or unverified:
            parts.append(f"{approx} cột tính gần đúng, {unverified} cột chưa đối chiếu (rê chuột lên số để xem)")
        text = " · ".join(parts)
        if report.warnings:
            text += "<br><span style='color:#a00000'>" + "<br>".join(report.warnings) + "</span>"
        return text

    @staticmethod
    def _against_issued(report, issued) -> str:
        """A commune seen from the province: its report's state, and whether the figures counted
        now from the province's register are those it issued (a later correction shows here)."""
        if issued is None:
            return "xã chưa gửi báo cáo kỳ này"
        state = {"accepted": "đã chấp nhận", "reopened": "đã mở lại", None: "chờ xem xét"}[issued.decision]
        stored = issued.figures.get(report.form.id, {}).get(report.unit_code)
        head = f"báo cáo {issued.symbol} ngày {issued.issued_on:%d/%m/%Y}, {state}"
        if stored is None:
            return head + " (không có biểu này)"
        manual = {leaf.no for leaf in report.form.leaves() if leaf.rule is None or leaf.rule.manual}
        differ = [no for no, v in report.main_row().values.items()
                  if no not in manual and stored.get(str(no)) != v]
        if not differ:
            return head + "; số liệu khớp báo cáo của xã"
        return (head + "; <span style='color:#a00000'>khác báo cáo của xã ở cột "
                + ", ".join(f"({n})" for n in differ) + "</span>")

    def _explain(self, row: int, col: int) -> None:
        if self.report is None or col == 0 or self.consolidated.isChecked() or self.busy:
            return
        depth = self.report.form.header_depth()
        rows = self.report.all_rows()
        index = row - depth - 1
        if not 0 <= index < len(rows):
            return
        leaf = self.report.form.leaves()[col - 1]
        key = rows[index].key if self.report.form.rows != "unit" else None
        cell = guarded(self, lambda: self.run.explain(self.report.form, leaf.no, key))
        if cell is not None:
            CellDialog(self, self.session, cell, self.open_case).exec()

    # -- outputs ----------------------------------------------------------------------------------
    def _ask_path(self, title: str, suffix: str, filt: str) -> Path | None:
        p = self.period()
        name = f"bao-cao-{p.code}.{suffix}"
        path = file_dialogs.save_file(self, title, "reports", name, filt)
        return Path(path) if path else None

    def _export_xlsx(self) -> None:
        from desktop.reports import xlsx

        path = self._ask_path("Xuất các biểu ra Excel", "xlsx", "Excel (*.xlsx)")
        if path and self.run is not None and not self.busy:
            if guarded(self, lambda: xlsx.write_forms(self.run.compute_all(), path) or True):
                self.info.setText(f"Đã ghi {path}")

    def _export_doc(self, fmt: str) -> None:
        from desktop.reports import written
        from desktop.storage.units import signers

        path = self._ask_path("Xuất báo cáo", fmt, "PDF (*.pdf)" if fmt == "pdf" else "Word (*.docx)")
        if not path:
            return

        period, unit = self.period(), self.unit_code
        signer = None if unit else next(iter(signers(self.session.db)), None)

        def work(db) -> bool:   # on the view's worker: at a province's size, seconds of counting
            b = written.bundle(db, period, unit_code=unit)
            doc = written.compose(b, signer)
            path.write_bytes(written.render_pdf(doc, b) if fmt == "pdf" else written.render_docx(doc, b))
            return True

        def done(_ok) -> None:   # the shown run's facts, replaced by the bundle's, are counted again when next read
            self.info.setText(f"Đã ghi {path}")

        self._compute(work, done)

    def _issue(self) -> None:
        from desktop.reports import submit

        p = self.period()
        answer = QMessageBox.question(
            self, "Ban hành báo cáo",
            f"Ban hành báo cáo {p.label}?\n\nBáo cáo được cấp số trong sổ đăng ký văn bản đi (BC), số liệu được "
            "lưu lại và gửi tỉnh trong gói đồng bộ tiếp theo.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        today = self.session.today()

        def issued(record) -> None:
            self._offer_issue()   # issued: not offered again for this period
            QMessageBox.information(self, "Ban hành báo cáo", f"Đã ban hành báo cáo {record.symbol}.")

        def refused(exc: BaseException) -> None:
            self._offer_issue()
            report_error(self, exc)

        self.save_on_writer(lambda db: submit.issue_report(db, p, today=today),   # on the writer (issue #20)
                            done=issued, refused=refused, button=self.issue_button)


    def _completeness(self) -> None:
        CompletenessDialog(self, self.session, self.period()).exec()
        self._show_form()


class CompletenessDialog(QDialog, OnWriter):
    """The province's board for one period: each commune on time, late or missing; accept or reopen."""

    def __init__(self, parent: QWidget, session: Session, period) -> None:
        super().__init__(parent)
        self.session, self.period = session, period
        self.setWindowTitle(f"Tình hình nộp báo cáo — {period.label}")
        self.resize(860, 460)
        lay = QVBoxLayout(self)
        self.table = QTableWidget()
        self.table.setColumnCount(5)
        self.table.setHorizontalHeaderLabels(["Mã", "Đơn vị", "Tình trạng", "Báo cáo", "Ngày ban hành"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        accept = QPushButton("Chấp nhận báo cáo")
        accept.clicked.connect(lambda: self._decide("accept"))
        reopen = QPushButton("Mở lại kỳ báo cáo…")
        reopen.clicked.connect(lambda: self._decide("reopen"))
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        self.decisions = (accept, reopen)
        for b in (accept, reopen):
            row.addWidget(b)
        row.addWidget(self.saving_label())   # "Đang lưu…" while a decision is written on the writer
        row.addStretch(1)
        row.addWidget(close)
        lay.addLayout(row)
        self.reload()

    def reload(self) -> None:
        from desktop.reports import submit

        self.items = guarded(self, lambda: submit.completeness(self.session.db, self.period)) or []
        self.table.setRowCount(len(self.items))
        for r, item in enumerate(self.items):
            values = (item.unit_code, item.unit_name, item.label, item.report.symbol if item.report else "",
                      f"{item.report.issued_on:%d/%m/%Y}" if item.report else f"hạn {item.due_on:%d/%m/%Y}")
            for c, text in enumerate(values):
                cell = QTableWidgetItem(text)
                if c == 2 and item.status != "on_time":
                    cell.setForeground(QBrush(QColor("#a00000")))
                self.table.setItem(r, c, cell)
        self.table.resizeColumnsToContents()

    def _decide(self, what: str) -> None:
        from PySide6.QtWidgets import QInputDialog

        from desktop.reports import submit

        row = self.table.currentRow()
        if not 0 <= row < len(self.items) or self.items[row].report is None:
            QMessageBox.information(self, "Báo cáo", "Hãy chọn một xã đã nộp báo cáo.")
            return
        uuid = self.items[row].report.uuid
        reason = ""
        if what == "reopen":
            reason, ok = QInputDialog.getText(self, "Mở lại kỳ báo cáo", "Lý do mở lại:")
            if not ok:
                return

        def write(db):
            return submit.accept(db, uuid) if what == "accept" else submit.reopen(db, uuid, reason=reason)

        # on the session's writer (issue #20); the board reloads after it
        self.save_on_writer(write, done=lambda _r: self.reload(), refused=lambda exc: report_error(self, exc),
                            button=self.decisions)

    def reject(self) -> None:
        if self.pending is None:   # Escape while a decision is written: its answer comes back here
            super().reject()

    def accept(self) -> None:
        if self.pending is None:   # "Đóng" likewise
            super().accept()


class CellDialog(QDialog):
    """What one figure counts: its meaning, then the cases (double-click opens one)."""

    def __init__(self, parent: QWidget, session: Session, cell, open_case) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Biểu {cell.form}, cột ({cell.no})")
        self.resize(720, 480)
        lay = QVBoxLayout(self)
        value = "" if cell.value is None else cell.value
        head = QLabel(f"<b>({cell.no}) {cell.label}: {value}</b><br>{cell.meaning}")
        head.setWordWrap(True)
        lay.addWidget(head)
        self.list = QListWidget()
        db = session.db
        for uuid in cell.uuids:
            if cell.entity == "case":
                r = db.one("SELECT number, received_on, summary FROM cases WHERE uuid = ?", (uuid,))
                text = f"{r[0]}  —  {date.fromisoformat(r[1]):%d/%m/%Y}  —  {r[2]}"
                case_uuid = uuid
            elif cell.entity == "reception":
                r = db.one("SELECT received_on, content, case_uuid FROM receptions WHERE uuid = ?", (uuid,))
                text = f"Lượt tiếp {date.fromisoformat(r[0]):%d/%m/%Y}  —  {r[1][:90]}"
                case_uuid = r[2]
            else:
                r = db.one("SELECT k.number, c.content, c.case_uuid FROM commitments c JOIN cases k "
                           "ON k.uuid = c.case_uuid WHERE c.uuid = ?", (uuid,))
                text = f"Cam kết của vụ việc {r[0]}  —  {r[1][:90]}"
                case_uuid = r[2]
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, case_uuid)
            self.list.addItem(item)
        for _uuid, n in cell.openings:
            self.list.addItem(QListWidgetItem(f"Kê khai đầu kỳ: {n}"))
        if not self.list.count():
            self.list.addItem(QListWidgetItem("Không có vụ việc nào."))
        lay.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

        def opened(item: QListWidgetItem) -> None:
            uuid = item.data(Qt.ItemDataRole.UserRole)
            if uuid:
                self.accept()
                open_case.emit(uuid)

        self.list.itemDoubleClicked.connect(opened)


def install_menu(bar, session: Session, window) -> None:
    """The "Báo cáo" section in the navigation, its menu, and the reminder in the status bar."""
    from PySide6.QtWidgets import QListWidgetItem as Item

    window.nav.addItem(Item("Báo cáo"))
    index = window.nav.count() - 1
    holder: dict[str, ReportsView] = {}

    def show() -> None:
        view = holder.get("view")
        if view is None:
            view = holder["view"] = ReportsView(session)
            view.open_case.connect(window.open_case)
            window.stack.addWidget(view)
        window.stack.setCurrentWidget(view)
        if window.nav.currentRow() != index:
            window.nav.blockSignals(True)
            window.nav.setCurrentRow(index)
            window.nav.blockSignals(False)

    window.nav.currentRowChanged.connect(lambda row: row == index and show())
    window.show_reports = show
    menu = bar.addMenu("&Báo cáo")
    menu.addAction(QAction("Báo cáo định kỳ", window, triggered=show))
    menu.addAction(QAction("Xuất Excel sổ đang xem…", window, triggered=lambda: export_current(session, window)))

    button = ReportDueButton(session)
    button.clicked.connect(show)
    window.statusBar().addPermanentWidget(button)
    button.refresh()   # shown now that it has its place
    window.report_reminder = button


def _report_due(session: Session):
    from desktop.reports import submit

    try:
        return submit.report_due(session.db, session.today())
    except UserError:
        return None


class ReportDueButton(QPushButton):
    """The reminder in the status bar: shown from 1/6 and 1/12 until the report is issued, kept
    up to date after each save and each new day; a click opens "Báo cáo"."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setFlat(True)
        self.setStyleSheet("color: #a04000; font-weight: bold;")
        session.changed.connect(self.refresh)
        session.today_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        due = _report_due(self.session)
        self.setText(due.text() if due else "")
        self.setVisible(due is not None and self.parentWidget() is not None)


class ReportDueNotice(QFrame):
    """The reminder on "Hôm nay" (issue #14 item 11): from 1/6 (the six months) and 1/12 (the year)
    until the unit issues the period's report, its due date and the days left (or overdue), and a
    button to the "Báo cáo" section. Hidden when nothing is due; kept up to date after each save
    and each new day (it is a small query, so also while hidden)."""

    open_reports = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.due = None
        self.setObjectName("reportDue")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.button = QPushButton("Mở mục Báo cáo")
        self.button.clicked.connect(self.open_reports)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.detail)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.addLayout(text, 1)
        lay.addWidget(self.button)
        session.changed.connect(self.refresh)
        session.today_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        self.due = _report_due(self.session)
        if self.due is None:
            self.hide()
            return
        overdue = self.due.days_left < 0
        colour, background = ("#a00000", "#fdecea") if overdue else ("#a04000", "#fff4e5")
        self.setStyleSheet(f"#reportDue {{ background: {background}; border: 1px solid {colour}; "
                           "border-radius: 4px; }")
        self.title.setText(self.due.text())
        self.title.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.detail.setText(self.due.detail())
        if self.parentWidget() is not None:
            self.show()


def export_current(session: Session, window) -> None:
    """Excel of the register page being looked at, with its filter and order."""
    from desktop.reports import exports

    page = window.stack.currentWidget()
    kind = type(page).__name__
    if kind not in ("CasesView", "ReceptionsView"):
        QMessageBox.information(window, "Xuất Excel", "Hãy mở Sổ vụ việc hoặc Sổ tiếp công dân rồi chọn lại.")
        return
    name = "so-vu-viec.xlsx" if kind == "CasesView" else "so-tiep-cong-dan.xlsx"
    path = file_dialogs.save_file(window, "Xuất Excel", "reports", name, "Excel (*.xlsx)")
    if not path:
        return
    if kind == "CasesView":
        filt = page.current_filter()
        n = guarded(window, lambda: exports.export_cases(session.db, Path(path), filt))
    else:
        f = page.model.filt
        n = guarded(window, lambda: exports.export_receptions(session.db, Path(path), date_from=f.date_from,
                                                              date_to=f.date_to, kind=f.kind))
    if n is not None:
        window.statusBar().showMessage(f"Đã ghi {n} dòng vào {path}", 8000)
