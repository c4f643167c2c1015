; Earmark's Windows installer, for Inno Setup 6.3 or later (iscc.exe).
;
; Build the release binary first, then compile this script from anywhere:
;   cargo build --release
;   iscc packaging\windows\earmark.iss
; It writes target\windows\Earmark-VERSION-x64-setup.exe. Another binary:
;   iscc /DExe=C:\path\to\earmark.exe packaging\windows\earmark.iss
;
; It installs earmark.exe for the current user (no administrator needed) or,
; when chosen in the first dialog, for all users; adds a Start-menu entry
; carrying the app id as its AppUserModelID, so that the taskbar pins the
; window to it (src/windows_process.rs sets the same id on the process); and
; registers the files Earmark opens, in the same groups as the macOS
; Info.plist's document types and with the same names. Earmark owns
; .earmark (its session file: the default handler); for every other type it is
; only offered under "Open with", as macOS's rank Alternate: Windows lets the
; user, not an installer, choose the default handler of a type another
; program may own. The uninstaller removes all of it again.
; tests/packaging.rs checks the lists against the app's and the plist's.

#define AppId "io.github.earmark.Earmark"
#define AppName "Earmark"
#define ExeName "earmark.exe"
#ifndef Exe
  #define Exe AddBackslash(SourcePath) + "..\..\target\release\" + ExeName
#endif
#if !FileExists(Exe)
  #error No earmark.exe: run cargo build --release first, or pass /DExe=PATH
#endif
; The version is the one build.rs writes into the executable's VERSIONINFO
; from Cargo.toml, so the installer cannot disagree with the binary it holds.
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(Exe, "ProductVersion")
#endif
; The same as four numbers (0.1.0.0), as the setup's own VERSIONINFO needs
; even when Cargo's version has a pre-release part.
#define AppNumericVersion GetVersionNumbersString(Exe)
; The installed executable.
#define Command "{app}\" + ExeName

[Setup]
AppId={#AppId}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=The Earmark authors
AppPublisherURL=https://github.com/earmark/earmark
AppSupportURL=https://github.com/earmark/earmark/issues
AppComments=Play a podcast next to its transcript, in sync: click a line to hear it.
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
; Per user by default; the first dialog offers all users (and asks for
; administrator rights then). HKA below is HKCU or HKLM to match.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Rust's Windows targets need Windows 10.
MinVersion=10.0
; Tells Explorer to reread the file types when installed and uninstalled.
ChangesAssociations=yes
CloseApplications=yes
SetupIconFile=..\icons\earmark.ico
UninstallDisplayIcon={#Command}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
OutputDir=..\..\target\windows
OutputBaseFilename={#AppName}-{#AppVersion}-x64-setup
VersionInfoVersion={#AppNumericVersion}
VersionInfoProductName={#AppName}

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Exe}"; DestDir: "{app}"; DestName: "{#ExeName}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{#Command}"; AppUserModelID: "{#AppId}"; Comment: "Play a podcast next to its transcript"
Name: "{autodesktop}\{#AppName}"; Filename: "{#Command}"; AppUserModelID: "{#AppId}"; Tasks: desktopicon

[Registry]
; The application: its name in "Open with", and every type it opens.
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{#Command},0"
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{#Command}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".earmark"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".srt"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".vtt"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".json"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".txt"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".mp3"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".m4a"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".m4b"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".mp4"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".aac"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".flac"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".wav"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".ogg"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".oga"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".opus"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".mka"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".mkv"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".webm"; ValueData: ""

; The five kinds of file (ProgIDs), named as the Info.plist's document types.
Root: HKA; Subkey: "Software\Classes\{#AppId}.session"; ValueType: string; ValueName: ""; ValueData: "Earmark Session"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#AppId}.session\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{#Command},0"
Root: HKA; Subkey: "Software\Classes\{#AppId}.session\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{#Command}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\{#AppId}.subtitles"; ValueType: string; ValueName: ""; ValueData: "Subtitles"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#AppId}.subtitles\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{#Command},0"
Root: HKA; Subkey: "Software\Classes\{#AppId}.subtitles\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{#Command}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\{#AppId}.transcript"; ValueType: string; ValueName: ""; ValueData: "Transcript"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#AppId}.transcript\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{#Command},0"
Root: HKA; Subkey: "Software\Classes\{#AppId}.transcript\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{#Command}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\{#AppId}.audio"; ValueType: string; ValueName: ""; ValueData: "Audio"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#AppId}.audio\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{#Command},0"
Root: HKA; Subkey: "Software\Classes\{#AppId}.audio\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{#Command}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\{#AppId}.video"; ValueType: string; ValueName: ""; ValueData: "Video (its sound)"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#AppId}.video\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{#Command},0"
Root: HKA; Subkey: "Software\Classes\{#AppId}.video\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{#Command}"" ""%1"""

; The session file is Earmark's own: its default handler, its MIME type.
Root: HKA; Subkey: "Software\Classes\.earmark"; ValueType: string; ValueName: ""; ValueData: "{#AppId}.session"; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.earmark"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-earmark-session"; Flags: uninsdeletevalue uninsdeletekeyifempty
; Each extension offers its kind's ProgID under "Open with".
Root: HKA; Subkey: "Software\Classes\.earmark\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.session"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.srt\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.subtitles"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.vtt\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.subtitles"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.json\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.transcript"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.txt\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.transcript"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.mp3\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.audio"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.m4a\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.audio"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.m4b\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.audio"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.mp4\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.video"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.aac\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.audio"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.flac\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.audio"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.wav\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.audio"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.ogg\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.audio"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.oga\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.audio"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.opus\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.audio"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.mka\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.audio"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.mkv\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.video"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.webm\OpenWithProgids"; ValueType: string; ValueName: "{#AppId}.video"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty

[Run]
Filename: "{#Command}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
