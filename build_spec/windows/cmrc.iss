; Inno Setup script for Windows (prepared, not built here: this repository is built and
; tested on Linux). Compile with Inno Setup 6 after `python build_spec\build.py` on Windows:
;     iscc build_spec\windows\cmrc.iss
; Installs per user (no administrator rights: experts use borrowed laptops), registers the
; .cmrcpkg file type so that opening a panel package starts `cmrc-gui.exe gui --package "%1"`.
#define AppVersion "0.1.0"

[Setup]
AppId={{5B0E6A4E-2C1B-4E55-9B53-6B1C0C3A7D21}
AppName=CMRC Desktop
AppVersion={#AppVersion}
DefaultDirName={localappdata}\Programs\CMRC Desktop
DefaultGroupName=CMRC Desktop
PrivilegesRequired=lowest
OutputBaseFilename=cmrc-desktop-{#AppVersion}-setup
SetupIconFile=cmrc.ico
ChangesAssociations=yes
Compression=lzma2
SolidCompression=yes

[Languages]
Name: "zh"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Files]
Source: "..\..\dist\cmrc\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\CMRC Desktop"; Filename: "{app}\cmrc-gui.exe"
Name: "{userdesktop}\CMRC Desktop"; Filename: "{app}\cmrc-gui.exe"

[Registry]
Root: HKCU; Subkey: "Software\Classes\.cmrcpkg"; ValueType: string; ValueData: "CMRC.PanelPackage"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\CMRC.PanelPackage"; ValueType: string; ValueData: "CMRC 评审包"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\CMRC.PanelPackage\DefaultIcon"; ValueType: string; ValueData: "{app}\cmrc-gui.exe,0"
Root: HKCU; Subkey: "Software\Classes\CMRC.PanelPackage\shell\open\command"; ValueType: string; ValueData: """{app}\cmrc-gui.exe"" gui --package ""%1"""
