"""Vietnamese for the few strings Qt itself shows (standard buttons, wizard, edit menus).

Qt ships no Vietnamese ``qtbase_vi.qm``; rather than bundle a generated file, this translator
answers the handful of source strings a clerk meets. Anything unknown falls back to Qt's text.
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
    # Qt's own file dialog (Save as… of reports, exports, backups where no native dialog is used)
    "&Look in:": "Tìm tr&ong:", "Look in:": "Tìm trong:", "File &name:": "&Tên tệp:", "Files of &type:": "&Loại tệp:",
    "Files of type:": "Loại tệp:", "Directory:": "Thư mục:",
    "Name": "Tên", "Size": "Cỡ", "Type": "Loại", "Date Modified": "Ngày sửa", "Computer": "Máy tính",
    "My Computer": "Máy tính", "Back": "Quay lại", "Forward": "Tiến", "Parent Directory": "Thư mục cha",
    "Create New Folder": "Tạo thư mục mới", "List View": "Dạng danh sách", "Detail View": "Dạng chi tiết",
    "&Open": "&Mở", "&Choose": "&Chọn", "New Folder": "Thư mục mới", "&New Folder": "Thư mục &mới",
    "&Rename": "Đổi &tên", "&Delete": "&Xóa", "Show &hidden files": "Hiện tệp ẩ&n", "All Files (*)": "Mọi tệp (*)",
    "Save As": "Lưu thành", "Find Directory": "Chọn thư mục", "Folder": "Thư mục", "Drive": "Ổ đĩa",
    "%1 already exists.\nDo you want to replace it?": "%1 đã có.\nCó ghi đè lên không?",
    # Qt's own print dialog ("In…" of documents where the system has no print dialog of its own)
    "Printer": "Máy in", "&Name:": "&Tên:", "P&roperties": "Thuộc tính", "Location:": "Vị trí:", "Type:": "Loại:",
    "Output &file:": "Tệp &ghi ra:", "&Options >>": "Tù&y chọn >>", "&Options <<": "Tù&y chọn <<", "&Print": "&In",
    "Print": "In", "Print to File (PDF)": "In ra tệp (PDF)", "Local file": "Tệp trên máy", "Write PDF file": "Ghi tệp PDF",
    "Print range": "Phạm vi in", "Print all": "In tất cả", "Pages from": "Các trang từ", "to": "đến",
    "Pages": "Trang", "Current Page": "Trang hiện tại", "Selection": "Phần đã chọn", "Output Settings": "Thiết lập in",
    "Copies": "Số bản", "Copies:": "Số bản:", "Collate": "Xếp theo bộ", "Reverse": "In ngược thứ tự",
    "Options": "Tùy chọn", "Color Mode": "Chế độ màu", "Color": "Màu", "Grayscale": "Đen trắng",
    "Double Sided Printing": "In hai mặt", "Off": "Tắt", "Long side binding": "Đóng gáy cạnh dài",
    "Short side binding": "Đóng gáy cạnh ngắn", "Page &Set:": "&Nhóm trang:", "All Pages": "Mọi trang",
    "Odd Pages": "Trang lẻ", "Even Pages": "Trang chẵn", "Preview": "Xem trước",
    "Specify pages or ranges separated by commas. Ranges are specified by two numbers separated by a hyphen. "
    "E.g: 3,5-7,9 prints pages 3, 5, 6, 7 and 9.": "Ghi các trang hoặc khoảng trang, cách nhau bằng dấu phẩy; "
    "khoảng trang là hai số nối bằng gạch ngang. Ví dụ: 3,5-7,9 in các trang 3, 5, 6, 7 và 9.",
}


class VietnameseQtTranslator(QTranslator):
    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:  # noqa: ARG002
        return _TEXTS.get(source) or None

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return False
