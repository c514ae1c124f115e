; Inno Setup 6 script for Sổ Giải trình (Windows installer).
; Built by installer/build.py --installer, which passes the version and the PyInstaller folder:
;   ISCC /DAppVersion=0.1.0 /DSourceDir=..\..\dist\giaitrinh /O..\..\dist giaitrinh.iss
; Installs per user (no administrator rights needed at a commune office). The register lives in
; the computer's shared data folder, %ProgramData%\SoGiaiTrinh, by default (task "shareddata":
; every Windows account of the office PC opens the same register; the app's own accounts decide
; who acts), recorded in giaitrinh.ini there, which the app reads (desktop/storage/folders.py).
; Install, upgrade and uninstall never touch the register or its backups.
; Every page is in Vietnamese: the messages below cover the usual path; where the contributed
; translation Vietnamese.isl (Inno Setup's unofficial translations) is placed next to this script
; (the Windows workflow fetches it), it fills in the rare messages too.
; The folder holds two programs (installer/build.py, programs): giaitrinhw.exe, the window, which
; the shortcuts start; giaitrinh.exe, the console program for `giaitrinh <command>` in cmd.
; Saved as UTF-8 with a BOM: Inno Setup before 6.3 reads a UTF-8 script (Vietnamese) only with one.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\giaitrinh"
#endif

[Setup]
AppId={{6C0E5B52-3F7A-4C1B-9C55-2E1D8B0A9F31}
AppName=Sổ Giải trình
AppVersion={#AppVersion}
AppVerName=Sổ Giải trình {#AppVersion}
AppPublisher=Sổ Giải trình
DefaultDirName={autopf}\SoGiaiTrinh
DefaultGroupName=Sổ Giải trình
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputBaseFilename=SoGiaiTrinh-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Qt 6.8+ needs Windows 10 version 1809 (build 17763); the program checks the same (ui/launch.py).
MinVersion=10.0.17763
SetupIconFile=..\..\resources\icons\giaitrinh.ico
UninstallDisplayIcon={app}\giaitrinhw.exe
VersionInfoVersion={#AppVersion}
VersionInfoProductName=Sổ Giải trình
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayName=Sổ Giải trình
CloseApplications=yes

[Languages]
#if FileExists(AddBackslash(SourcePath) + "Vietnamese.isl")
Name: "vi"; MessagesFile: "compiler:Default.isl,Vietnamese.isl"
#else
Name: "vi"; MessagesFile: "compiler:Default.isl"
#endif

[LangOptions]
vi.LanguageName=Tiếng Việt
vi.LanguageID=$042A

[Messages]
; Every page and box a clerk meets on the usual path, in Vietnamese (message names of Inno Setup
; 6's Default.isl; the rest, for rare errors, stay in English). "[name]" is the program's name.
vi.SetupAppTitle=Cài đặt
vi.SetupWindowTitle=Cài đặt %1
vi.UninstallAppTitle=Gỡ cài đặt
vi.UninstallAppFullTitle=Gỡ %1
vi.InformationTitle=Thông tin
vi.ConfirmTitle=Xác nhận
vi.ErrorTitle=Lỗi
vi.SetupAlreadyRunning=Chương trình cài đặt đang chạy.
vi.WindowsVersionNotSupported=Sổ Giải trình không chạy được trên phiên bản Windows của máy này. Cần Windows 10 bản 1809 trở lên.
vi.WinVersionTooLowError=Sổ Giải trình cần %1 phiên bản %2 trở lên (Windows 10 bản 1809). Hãy cập nhật Windows.
vi.AdminPrivilegesRequired=Cần đăng nhập bằng tài khoản quản trị để cài chương trình này.
vi.ErrorCreatingDir=Không tạo được thư mục "%1"
vi.SetupAppRunningError=Sổ Giải trình đang mở.%n%nHãy đóng chương trình rồi bấm OK để tiếp tục, hoặc Hủy để thoát.
vi.UninstallAppRunningError=Sổ Giải trình đang mở.%n%nHãy đóng chương trình rồi bấm OK để tiếp tục, hoặc Hủy để thoát.
vi.PrivilegesRequiredOverrideInstruction=Chọn cách cài đặt
vi.PrivilegesRequiredOverrideTaskDialogText1=%1 có thể cài cho mọi người dùng máy này (cần quyền quản trị) hoặc chỉ cho bạn.
vi.PrivilegesRequiredOverrideMsgBoxText1=%1 có thể cài cho mọi người dùng máy này (cần quyền quản trị) hoặc chỉ cho bạn.%n%nCài cho mọi người dùng?
vi.PrivilegesRequiredOverrideTaskDialogText2=%1 có thể cài chỉ cho bạn hoặc cho mọi người dùng máy này (cần quyền quản trị).
vi.PrivilegesRequiredOverrideMsgBoxText2=%1 có thể cài chỉ cho bạn (nên chọn) hoặc cho mọi người dùng máy này (cần quyền quản trị).%n%nChỉ cài cho bạn?
vi.PrivilegesRequiredOverrideAllUsers=Cài cho mọi người dùng
vi.PrivilegesRequiredOverrideCurrentUser=Chỉ cài cho tôi
vi.PrivilegesRequiredOverrideRecommended=%1 (nên chọn)
vi.ExitSetupTitle=Thoát cài đặt
vi.ExitSetupMessage=Việc cài đặt chưa xong. Nếu thoát bây giờ, chương trình sẽ không được cài.%n%nCó thể chạy lại chương trình cài đặt vào lúc khác.%n%nThoát cài đặt?
vi.ButtonBack=< &Quay lại
vi.ButtonNext=&Tiếp >
vi.ButtonInstall=&Cài đặt
vi.ButtonOK=OK
vi.ButtonCancel=Hủy
vi.ButtonYes=&Có
vi.ButtonNo=&Không
vi.ButtonFinish=&Hoàn tất
vi.ButtonBrowse=&Chọn...
vi.ButtonWizardBrowse=C&họn...
vi.ButtonNewFolder=&Tạo thư mục mới
vi.ClickNext=Bấm Tiếp để tiếp tục, hoặc Hủy để thoát.
vi.BrowseDialogTitle=Chọn thư mục
vi.BrowseDialogLabel=Chọn một thư mục trong danh sách rồi bấm OK.
vi.NewFolderName=Thư mục mới
vi.WelcomeLabel1=Cài đặt Sổ Giải trình
vi.WelcomeLabel2=Chương trình sẽ cài Sổ Giải trình {#AppVersion} vào máy tính.%n%nNên đóng các chương trình khác trước khi tiếp tục.
vi.WizardSelectDir=Chọn nơi cài đặt
vi.SelectDirDesc=Cài [name] vào đâu?
vi.SelectDirLabel3=Chương trình sẽ được cài vào thư mục sau.
vi.SelectDirBrowseLabel=Bấm Tiếp để tiếp tục. Muốn chọn thư mục khác, bấm Chọn.
vi.DiskSpaceMBLabel=Cần ít nhất [mb] MB dung lượng trống trên ổ đĩa.
vi.InvalidPath=Hãy nhập đường dẫn đầy đủ, có chữ ổ đĩa, ví dụ:%n%nC:\APP
vi.InvalidDrive=Ổ đĩa đã chọn không có hoặc không truy cập được. Hãy chọn ổ khác.
vi.DiskSpaceWarningTitle=Không đủ dung lượng
vi.DiskSpaceWarning=Cần ít nhất %1 KB dung lượng trống để cài, nhưng ổ đã chọn chỉ còn %2 KB.%n%nVẫn tiếp tục?
vi.DirNameTooLong=Tên thư mục hoặc đường dẫn quá dài.
vi.InvalidDirName=Tên thư mục không hợp lệ.
vi.BadDirName32=Tên thư mục không được chứa các ký tự sau:%n%n%1
vi.DirExistsTitle=Thư mục đã có
vi.DirExists=Thư mục:%n%n%1%n%nđã có. Vẫn cài vào thư mục này?
vi.DirDoesntExistTitle=Thư mục chưa có
vi.DirDoesntExist=Thư mục:%n%n%1%n%nchưa có. Tạo thư mục này?
vi.WizardSelectTasks=Chọn việc làm thêm
vi.SelectTasksDesc=Làm thêm những việc nào?
vi.SelectTasksLabel2=Chọn những việc chương trình cài đặt làm thêm khi cài [name], rồi bấm Tiếp.
vi.WizardReady=Sẵn sàng cài đặt
vi.ReadyLabel1=Đã sẵn sàng cài [name] vào máy tính.
vi.ReadyLabel2a=Bấm Cài đặt để bắt đầu, hoặc Quay lại nếu muốn xem lại hay đổi lựa chọn.
vi.ReadyLabel2b=Bấm Cài đặt để bắt đầu.
vi.ReadyMemoDir=Nơi cài đặt:
vi.ReadyMemoTasks=Việc làm thêm:
vi.ReadyMemoGroup=Thư mục trong menu Start:
vi.WizardPreparing=Chuẩn bị cài đặt
vi.PreparingDesc=Đang chuẩn bị cài [name] vào máy tính.
vi.CannotContinue=Không thể tiếp tục cài đặt. Bấm Hủy để thoát.
vi.ApplicationsFound=Các chương trình sau đang dùng những tệp cần cập nhật. Nên để chương trình cài đặt tự đóng chúng.
vi.ApplicationsFound2=Các chương trình sau đang dùng những tệp cần cập nhật. Nên để chương trình cài đặt tự đóng chúng; cài xong, chương trình cài đặt sẽ mở lại chúng.
vi.CloseApplications=&Tự động đóng các chương trình này
vi.DontCloseApplications=&Không đóng các chương trình này
vi.ErrorCloseApplications=Không tự đóng được mọi chương trình đang dùng tệp cần cập nhật. Nên đóng chúng trước khi tiếp tục.
vi.PreviousInstallNotCompleted=Lần cài hoặc gỡ chương trình trước chưa xong. Hãy khởi động lại máy rồi chạy lại chương trình cài đặt [name].
vi.WizardInstalling=Đang cài đặt
vi.InstallingLabel=Xin chờ trong khi [name] được cài vào máy tính.
vi.FinishedHeadingLabel=Đã cài đặt xong Sổ Giải trình
vi.FinishedLabelNoIcons=Đã cài xong [name] vào máy tính.
vi.FinishedLabel=Sổ Giải trình đã được cài đặt. Sổ và các bản sao lưu nằm trong thư mục dữ liệu (mặc định dùng chung cho mọi người dùng máy: C:\ProgramData\SoGiaiTrinh), không bị xóa khi gỡ hoặc cập nhật chương trình.
vi.FinishedRestartLabel=Để cài xong [name], cần khởi động lại máy. Khởi động lại ngay?
vi.FinishedRestartMessage=Để cài xong [name], cần khởi động lại máy.%n%nKhởi động lại ngay?
vi.YesRadio=&Có, khởi động lại máy ngay
vi.NoRadio=&Không, tôi sẽ khởi động lại sau
vi.ClickFinish=Bấm Hoàn tất để đóng.
vi.RunEntryExec=Mở %1
vi.SetupAborted=Việc cài đặt chưa hoàn thành.%n%nHãy khắc phục sự cố rồi chạy lại chương trình cài đặt.
vi.StatusClosingApplications=Đang đóng các chương trình...
vi.StatusCreateDirs=Đang tạo thư mục...
vi.StatusExtractFiles=Đang chép tệp...
vi.StatusCreateIcons=Đang tạo lối tắt...
vi.StatusCreateIniEntries=Đang ghi thiết lập thư mục dữ liệu...
vi.ErrorIniEntry=Không ghi được thiết lập vào tệp "%1".
vi.StatusSavingUninstall=Đang lưu thông tin gỡ cài đặt...
vi.StatusRunProgram=Đang hoàn tất...
vi.StatusRestartingApplications=Đang mở lại các chương trình...
vi.StatusRollback=Đang hoàn lại các thay đổi...
vi.UninstallDisplayNameMarkAllUsers=Mọi người dùng
vi.UninstallDisplayNameMarkCurrentUser=Người dùng hiện tại
vi.ConfirmUninstall=Gỡ hẳn %1 khỏi máy tính? Dữ liệu sổ trong thư mục dữ liệu của người dùng được giữ lại.
vi.UninstallStatusLabel=Xin chờ trong khi %1 được gỡ khỏi máy tính.
vi.UninstalledAll=Đã gỡ %1 khỏi máy tính.
vi.UninstalledMost=Đã gỡ %1.%n%nMột số mục không gỡ được, có thể xóa bằng tay.
vi.UninstalledAndNeedsRestart=Để gỡ xong %1, cần khởi động lại máy.%n%nKhởi động lại ngay?
vi.WizardUninstalling=Gỡ cài đặt
vi.StatusUninstalling=Đang gỡ %1...
vi.ShutdownBlockReasonInstallingApp=Đang cài %1.
vi.ShutdownBlockReasonUninstallingApp=Đang gỡ %1.

[Tasks]
Name: "shareddata"; Description: "Dùng chung một sổ cho mọi người dùng máy này (thư mục C:\ProgramData\SoGiaiTrinh — nên chọn)"; GroupDescription: "Dữ liệu:"
Name: "desktopicon"; Description: "Tạo biểu tượng trên màn hình"; GroupDescription: "Biểu tượng:"

[Dirs]
; The shared data folder: every user of the PC may change the register in it. Never removed.
Name: "{commonappdata}\SoGiaiTrinh"; Permissions: users-modify; Flags: uninsneveruninstall; Tasks: shareddata

[INI]
; The machine's setting the app reads (desktop/storage/folders.py); left in place on uninstall.
Filename: "{commonappdata}\SoGiaiTrinh\giaitrinh.ini"; Section: "data"; Key: "folder"; String: "{commonappdata}\SoGiaiTrinh"; Tasks: shareddata

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Sổ Giải trình"; Filename: "{app}\giaitrinhw.exe"
Name: "{group}\Gỡ Sổ Giải trình"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Sổ Giải trình"; Filename: "{app}\giaitrinhw.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\giaitrinhw.exe"; Description: "Mở Sổ Giải trình"; Flags: nowait postinstall skipifsilent
