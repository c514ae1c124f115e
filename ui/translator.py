"""Vietnamese for the strings Qt itself shows: standard buttons, wizard, edit menus, and the
print, print preview, page setup and file dialogs a clerk meets when printing or saving a PDF.

Qt ships no Vietnamese ``qtbase_vi.qm`` (PySide6's ``Qt/translations`` has 200 files, none
``_vi``); ``load_qt_translations`` still loads it first should a later Qt ship it, and this
translator answers the rest. The source strings were read from the dialogs themselves (Qt 6.12,
non-native widgets as on Linux). Anything unknown falls back to Qt's text.
"""

from __future__ import annotations

from PySide6.QtCore import QTranslator

_TEXTS = {
    "OK": "Đồng ý", "&OK": "Đồng ý", "Cancel": "Hủy", "&Cancel": "Hủy", "Close": "Đóng", "&Close": "Đóng",
    "Save": "Lưu", "&Save": "Lưu", "Apply": "Áp dụng", "&Yes": "&Có", "Yes": "Có", "&No": "&Không", "No": "Không",
    "Yes to &All": "Có với tất cả", "N&o to All": "Không với tất cả", "Discard": "Bỏ", "Don't Save": "Không lưu",
    "Help": "Trợ giúp", "Reset": "Đặt lại", "Retry": "Thử lại", "Ignore": "Bỏ qua", "Abort": "Dừng", "Open": "Mở",
    "Show Details...": "Xem chi tiết…", "Hide Details...": "Ẩn chi tiết…",
    "< &Back": "< &Quay lại", "&Next >": "&Tiếp >", "&Next": "&Tiếp", "&Finish": "&Hoàn tất", "&Back": "&Quay lại",
    "Go Back": "Quay lại", "Continue": "Tiếp tục", "Commit": "Xác nhận", "Done": "Xong", "Quit": "Thoát",
    "&Undo": "&Hoàn tác", "&Redo": "&Làm lại", "Cu&t": "Cắ&t", "&Copy": "&Sao chép", "&Paste": "&Dán",
    "Delete": "Xóa", "Select All": "Chọn tất cả",
    # print dialog
    "Print": "In", "&Print": "&In", "Printer": "Máy in", "&Name:": "&Tên:", "Location:": "Vị trí:", "Type:": "Loại:",
    "P&roperties": "Thuộc tính", "Properties": "Thuộc tính", "Output &file:": "Tệp &ghi ra:", "...": "…",
    "&Options >>": "Tù&y chọn >>", "&Options <<": "Tù&y chọn <<", "Options": "Tùy chọn",
    "Print range": "Phạm vi in", "Print all": "In tất cả", "All Pages": "Mọi trang", "Pages from": "Các trang từ",
    "to": "đến", "Pages": "Trang", "Selection": "Phần đã chọn", "Current Page": "Trang hiện tại",
    "Output Settings": "Thiết lập in", "Copies": "Số bản", "Copies:": "Số bản:", "Collate": "Xếp theo bộ",
    "Reverse": "In ngược thứ tự", "Color Mode": "Chế độ màu", "Color": "Màu", "Grayscale": "Đen trắng",
    "Double Sided Printing": "In hai mặt", "Off": "Tắt", "Long side binding": "Đóng gáy cạnh dài",
    "Short side binding": "Đóng gáy cạnh ngắn", "Page Layout": "Bố cục trang", "Page &Set:": "&Nhóm trang:",
    "Even Pages": "Trang chẵn", "Odd Pages": "Trang lẻ", "Pages &per sheet:": "Số trang mỗi &tờ:",
    "Page &order:": "Thứ tự &trang:", "Print to File (PDF)": "In ra tệp (PDF)", "Local file": "Tệp trên máy",
    "Write PDF file": "Ghi tệp PDF", "Print To File ...": "In ra tệp…", "Print to File": "In ra tệp",
    "Specify pages or ranges separated by commas. Ranges are specified by two numbers separated by a hyphen. "
    "E.g: 3,5-7,9 prints pages 3, 5, 6, 7 and 9.":
        "Ghi các trang hoặc khoảng trang, cách nhau bởi dấu phẩy; khoảng trang là hai số nối bằng dấu gạch ngang. "
        "Ví dụ: 3,5-7,9 in các trang 3, 5, 6, 7 và 9.",
    "Left to Right, Top to Bottom": "Trái sang phải, trên xuống dưới",
    "Left to Right, Bottom to Top": "Trái sang phải, dưới lên trên",
    "Right to Left, Bottom to Top": "Phải sang trái, dưới lên trên",
    "Right to Left, Top to Bottom": "Phải sang trái, trên xuống dưới",
    "Bottom to Top, Left to Right": "Dưới lên trên, trái sang phải",
    "Bottom to Top, Right to Left": "Dưới lên trên, phải sang trái",
    "Top to Bottom, Left to Right": "Trên xuống dưới, trái sang phải",
    "Top to Bottom, Right to Left": "Trên xuống dưới, phải sang trái",
    # page setup
    "Page Setup": "Thiết lập trang", "Page setup": "Thiết lập trang", "Paper": "Giấy", "Page size:": "Khổ giấy:",
    "Width:": "Rộng:", "Height:": "Cao:", "Paper source:": "Khay giấy:", "Orientation": "Hướng giấy",
    "Portrait": "Dọc", "Landscape": "Ngang", "Reverse landscape": "Ngang ngược", "Reverse portrait": "Dọc ngược",
    "Margins": "Lề", "top margin": "lề trên", "bottom margin": "lề dưới", "left margin": "lề trái",
    "right margin": "lề phải", "Custom": "Tùy chỉnh", "Millimeters (mm)": "Milimét (mm)", "Inches (in)": "Inch (in)",
    "Points (pt)": "Point (pt)",
    # print preview
    "Print Preview": "Xem trước khi in", "Preview": "Xem trước", "Next page": "Trang sau",
    "Previous page": "Trang trước", "First page": "Trang đầu", "Last page": "Trang cuối", "Fit width": "Vừa chiều rộng",
    "Fit page": "Vừa trang", "Zoom in": "Phóng to", "Zoom out": "Thu nhỏ", "Show single page": "Từng trang",
    "Show facing pages": "Hai trang đối diện", "Show overview of all pages": "Xem mọi trang",
    # file dialogs
    "&Look in:": "Tìm tr&ong:", "Look in:": "Tìm trong:", "File &name:": "&Tên tệp:", "Files of &type:": "&Loại tệp:",
    "Files of type:": "Loại tệp:", "&Save": "&Lưu", "&Open": "&Mở", "&Choose": "&Chọn", "Save As": "Lưu thành", "Find Directory": "Chọn thư mục",
    "Back": "Quay lại", "Forward": "Tiến", "Parent Directory": "Thư mục cha", "Create New Folder": "Tạo thư mục mới",
    "List View": "Dạng danh sách", "Detail View": "Dạng chi tiết", "Name": "Tên", "Size": "Cỡ",
    "Type": "Loại", "Kind": "Loại", "Date Modified": "Ngày sửa", "All Files (*)": "Mọi tệp (*)",
    "My Computer": "Máy tính", "Computer": "Máy tính", "New Folder": "Thư mục mới", "&New Folder": "Thư mục &mới",
    "&Delete": "&Xóa", "&Rename": "Đổi &tên", "Show &hidden files": "Hiện tệp ẩ&n", "Recent Places": "Nơi dùng gần đây",
    "%1 already exists.\nDo you want to replace it?": "%1 đã có.\nCó ghi đè lên không?",
    "Are you sure you want to delete '%1'?": "Xóa “%1”?", "Could not delete directory.": "Không xóa được thư mục.",
    "%1\nFile not found.\nPlease verify the correct file name was given.":
        "%1\nKhông tìm thấy tệp.\nHãy kiểm tra lại tên tệp.",
    "%1\nDirectory not found.\nPlease verify the correct directory name was given.":
        "%1\nKhông tìm thấy thư mục.\nHãy kiểm tra lại tên thư mục.",
    "Directory:": "Thư mục:", "Directories": "Thư mục", "Drive": "Ổ đĩa", "File": "Tệp", "File Folder": "Thư mục",
    "Folder": "Thư mục", "Unknown": "Không rõ",
}


def load_qt_translations(app) -> list[QTranslator]:
    """Install Qt's own Vietnamese catalogue when the installed Qt has one, then ours; returns
    what was installed (the caller keeps it alive)."""
    from PySide6.QtCore import QLibraryInfo, QLocale

    installed: list[QTranslator] = []
    shipped = QTranslator(app)
    if shipped.load(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam), "qtbase", "_",
                    QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(shipped)
        installed.append(shipped)
    ours = VietnameseQtTranslator(app)
    app.installTranslator(ours)   # installed last: asked first, Qt's catalogue fills the rest
    installed.append(ours)
    return installed


class VietnameseQtTranslator(QTranslator):
    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:  # noqa: ARG002
        return _TEXTS.get(source) or None

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return False
