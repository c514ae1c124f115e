; Inno Setup 6 script for Sổ Giải trình (Windows installer).
; Built by installer/build.py --installer, which passes the version and the PyInstaller folder:
;   ISCC /DAppVersion=0.1.0 /DSourceDir=..\..\dist\giaitrinh /O..\..\dist giaitrinh.iss
; Installs per user (no administrator rights needed at a commune office); the register itself
; lives in the user's data folder and is never touched by install, upgrade or uninstall.

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
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayName=Sổ Giải trình
CloseApplications=yes

[Languages]
Name: "vi"; MessagesFile: "compiler:Default.isl"

[Messages]
vi.WelcomeLabel1=Cài đặt Sổ Giải trình
vi.WelcomeLabel2=Chương trình sẽ cài Sổ Giải trình {#AppVersion} vào máy tính.%n%nNên đóng các chương trình khác trước khi tiếp tục.
vi.ButtonNext=&Tiếp >
vi.ButtonBack=< &Quay lại
vi.ButtonCancel=Hủy
vi.ButtonInstall=&Cài đặt
vi.ButtonFinish=&Hoàn tất
vi.SelectDirLabel3=Chương trình sẽ được cài vào thư mục sau.
vi.FinishedHeadingLabel=Đã cài đặt xong Sổ Giải trình
vi.FinishedLabel=Sổ Giải trình đã được cài đặt. Dữ liệu sổ được lưu trong thư mục dữ liệu của người dùng, không bị xóa khi gỡ hoặc cập nhật chương trình.
vi.ClickFinish=Bấm Hoàn tất để đóng.

[Tasks]
Name: "desktopicon"; Description: "Tạo biểu tượng trên màn hình"; GroupDescription: "Biểu tượng:"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Sổ Giải trình"; Filename: "{app}\giaitrinh.exe"
Name: "{group}\Gỡ Sổ Giải trình"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Sổ Giải trình"; Filename: "{app}\giaitrinh.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\giaitrinh.exe"; Description: "Mở Sổ Giải trình"; Flags: nowait postinstall skipifsilent
