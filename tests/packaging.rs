//! The packaging metadata in `packaging/`: the desktop entry, the AppStream
//! metainfo, the shared-mime-info definition, the macOS `Info.plist`, the
//! icons, the Windows installer, the Flatpak manifest, the macOS scripts and
//! the CI workflow that runs them. Each passes its platform's validator
//! where one runs here, and they agree with one another, with
//! `earmark::app_id::APP_ID`, with Cargo.toml's version and licence, and
//! with the files the app opens.
//!
//! The validators come from Debian packages (desktop-file-utils, appstream,
//! libxml2-utils, shared-mime-info, shellcheck) that `bash
//! packaging/setup.sh` installs; a test that needs a missing one fails and
//! says so, it never passes without having checked. On macOS and Windows
//! the CI workflow skips those tests by name (`PORTABLE_TESTS`).

#![cfg(feature = "app")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use earmark::app_id::APP_ID;
use earmark::review::session::SESSION_EXTENSION;
use earmark::ui::open::{AUDIO_EXTENSIONS, TRANSCRIPT_EXTENSIONS};

/// The sizes of the hicolor PNGs, in pixels.
const HICOLOR_SIZES: [u32; 8] = [16, 24, 32, 48, 64, 128, 256, 512];

/// The sizes inside the Windows icon.
const ICO_SIZES: [u32; 7] = [16, 24, 32, 48, 64, 128, 256];

/// The elements of the macOS icon and the size of each, in pixels.
const ICNS_ELEMENTS: [(&str, u32); 12] = [
    ("is32", 16),
    ("s8mk", 16),
    ("il32", 32),
    ("l8mk", 32),
    ("ic11", 32),
    ("ic12", 64),
    ("ic07", 128),
    ("ic13", 256),
    ("ic08", 256),
    ("ic14", 512),
    ("ic09", 512),
    ("ic10", 1024),
];

/// Extensions the app opens that the desktop entry does not claim, and why:
/// a desktop entry has no rank, so claiming these would put Earmark in the
/// "Open with" list of every text file, JSON file or video, and make it
/// their handler where nothing else is installed. macOS claims them at the
/// rank "Alternate" instead, which never makes it the default.
const NOT_CLAIMED_ON_LINUX: [&str; 5] = ["txt", "json", "mp4", "mkv", "webm"];

/// The session file's MIME type, defined in the mime XML.
const SESSION_MIME_TYPE: &str = "application/x-earmark-session";

/// The binary the desktop entry and the bundle start.
const BINARY: &str = "earmark";

fn packaging(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("packaging")
        .join(path)
}

fn desktop_path() -> PathBuf {
    packaging(&format!("linux/{APP_ID}.desktop"))
}

fn metainfo_path() -> PathBuf {
    packaging(&format!("linux/{APP_ID}.metainfo.xml"))
}

fn mime_path() -> PathBuf {
    packaging(&format!("linux/{APP_ID}.mime.xml"))
}

fn plist_path() -> PathBuf {
    packaging("macos/Info.plist")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `program` on `PATH`, or a failure naming the Debian package and setup.sh.
fn tool(program: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{program} is not installed (Debian package {package}); \
                 run `bash packaging/setup.sh`, which installs what these tests need"
            )
        })
}

/// A file of the system's shared-mime-info database, or a failure saying
/// how to get it.
fn system_mime_file(name: &str) -> PathBuf {
    let path = Path::new("/usr/share/mime").join(name);
    assert!(
        path.is_file(),
        "{} is missing (Debian package shared-mime-info); run `bash packaging/setup.sh`",
        path.display()
    );
    path
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

fn text_of(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Every extension the app opens: audio, transcripts and its session file.
fn app_extensions() -> BTreeSet<String> {
    AUDIO_EXTENSIONS
        .iter()
        .chain(TRANSCRIPT_EXTENSIONS.iter())
        .chain(std::iter::once(&SESSION_EXTENSION))
        .map(|e| e.to_string())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// The desktop entry.

/// The `[Desktop Entry]` group: key to value, comments left out.
fn desktop_entry() -> BTreeMap<String, String> {
    let text = read(&desktop_path());
    let mut entries = BTreeMap::new();
    let mut in_group = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            in_group = line == "[Desktop Entry]";
            continue;
        }
        if in_group {
            let (key, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("not key=value: {line}"));
            entries.insert(key.trim().to_string(), value.trim().to_string());
        }
    }
    entries
}

/// A `;`-separated list value of the desktop entry.
fn desktop_list(entry: &BTreeMap<String, String>, key: &str) -> Vec<String> {
    entry
        .get(key)
        .unwrap_or_else(|| panic!("the desktop entry has no {key}"))
        .split(';')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_desktop_entry_passes_desktop_file_validate_without_a_remark() {
    let validate = tool("desktop-file-validate", "desktop-file-utils");
    let output = run(Command::new(validate).arg(desktop_path()));
    let said = text_of(&output);
    assert!(
        output.status.success() && said.trim().is_empty(),
        "desktop-file-validate: {}\n{said}",
        output.status
    );
}

#[test]
fn the_desktop_entry_is_named_and_started_by_the_app_id() {
    let entry = desktop_entry();
    let get = |key: &str| entry.get(key).map(String::as_str);
    assert_eq!(get("Type"), Some("Application"));
    assert_eq!(get("Name"), Some("Earmark"));
    assert_eq!(
        get("Icon"),
        Some(APP_ID),
        "the icon is installed as APP_ID.png"
    );
    assert_eq!(
        get("StartupWMClass"),
        Some(APP_ID),
        "the window's WM_CLASS is the app id (src/ui/mod.rs)"
    );
    assert_eq!(get("Terminal"), Some("false"));
    assert_eq!(
        get("Exec"),
        Some(format!("{BINARY} %F").as_str()),
        "the file manager passes every selected file (an audio file and its transcript)"
    );
    for category in ["AudioVideo", "Audio"] {
        assert!(
            desktop_list(&entry, "Categories")
                .iter()
                .any(|c| c == category)
        );
    }
}

// The AppStream metainfo.

/// An XML element as the tests read it: its name, attributes, text and
/// children, namespaces left as written.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn child<'a>(&'a self, name: &'a str) -> &'a Element {
        self.children(name)
            .next()
            .unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    fn text(&self) -> &str {
        self.text.trim()
    }
}

/// Reads `path` as XML (with quick-xml, strictly: a file that is not
/// well-formed fails) into its root element.
fn read_xml(path: &Path) -> Element {
    use quick_xml::events::{BytesStart, Event};

    fn element_of(start: &BytesStart, path: &Path) -> Element {
        let mut element = Element {
            name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
            ..Element::default()
        };
        for attribute in start.attributes() {
            let attribute =
                attribute.unwrap_or_else(|e| panic!("{}: bad attribute: {e}", path.display()));
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .unwrap_or_else(|e| panic!("{}: bad attribute value: {e}", path.display()));
            element.attributes.insert(
                String::from_utf8_lossy(attribute.key.as_ref()).into_owned(),
                value.into_owned(),
            );
        }
        element
    }

    let text = read(path);
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let mut open: Vec<Element> = vec![Element::default()];
    loop {
        let event = reader.read_event().unwrap_or_else(|e| {
            panic!(
                "{} is not well-formed at byte {}: {e}",
                path.display(),
                reader.buffer_position()
            )
        });
        match event {
            Event::Eof => break,
            Event::Start(start) => open.push(element_of(&start, path)),
            Event::Empty(start) => {
                let element = element_of(&start, path);
                open.last_mut()
                    .expect("the document")
                    .children
                    .push(element);
            }
            Event::End(_) => {
                let element = open.pop().expect("an open element");
                open.last_mut()
                    .unwrap_or_else(|| panic!("{}: an end without a start", path.display()))
                    .children
                    .push(element);
            }
            Event::Text(text) => {
                let text = text
                    .decode()
                    .unwrap_or_else(|e| panic!("{}: not UTF-8: {e}", path.display()));
                open.last_mut().expect("the document").text.push_str(&text);
            }
            Event::GeneralRef(name) => {
                let name: &[u8] = &name;
                let entity = match name {
                    b"amp" => "&",
                    b"lt" => "<",
                    b"gt" => ">",
                    b"quot" => "\"",
                    b"apos" => "'",
                    other => panic!(
                        "{}: unknown entity &{};",
                        path.display(),
                        String::from_utf8_lossy(other)
                    ),
                };
                open.last_mut().expect("the document").text.push_str(entity);
            }
            _ => {}
        }
    }
    assert_eq!(
        open.len(),
        1,
        "{}: an element is never closed",
        path.display()
    );
    let mut document = open.pop().expect("the document");
    assert_eq!(
        document.children.len(),
        1,
        "{}: one root element",
        path.display()
    );
    document.children.pop().expect("the root")
}

/// What appstreamcli said, by severity letter (E, W, I, P): each remark's tag.
fn appstream_remarks(said: &str) -> BTreeMap<char, Vec<String>> {
    let mut remarks: BTreeMap<char, Vec<String>> = BTreeMap::new();
    for line in said.lines().map(str::trim) {
        let mut chars = line.chars();
        let (Some(severity), Some(':')) = (chars.next(), chars.next()) else {
            continue;
        };
        if "EWIP".contains(severity) {
            // "P: io.github.earmark.Earmark:8: cid-contains-uppercase-letter ..."
            let tag = line.splitn(4, ':').nth(3).unwrap_or(line).trim();
            let tag = tag.split_whitespace().next().unwrap_or(tag);
            remarks.entry(severity).or_default().push(tag.to_string());
        }
    }
    remarks
}

/// Asserts appstreamcli found nothing at all but the one pedantic remark
/// that is a choice: the id's capital letter, which follows the usual
/// `org.gnome.TextEditor` form (Flathub accepts it; only --pedantic notes it).
fn assert_only_the_capital_in_the_id(output: &Output, what: &str) {
    let said = text_of(output);
    let remarks = appstream_remarks(&said);
    let unexpected: Vec<_> = remarks
        .iter()
        .flat_map(|(severity, tags)| tags.iter().map(move |tag| (*severity, tag)))
        .filter(|(severity, tag)| !(*severity == 'P' && *tag == "cid-contains-uppercase-letter"))
        .collect();
    assert!(
        output.status.success() && unexpected.is_empty(),
        "appstreamcli {what}: {}, remarks beyond the capital in the id: {unexpected:?}\n{said}",
        output.status
    );
}

#[test]
fn the_metainfo_passes_appstreamcli_validate_even_pedantic() {
    let output = run(Command::new(tool("appstreamcli", "appstream"))
        .args(["validate", "--no-net", "--pedantic", "--no-color"])
        .arg(metainfo_path()));
    assert_only_the_capital_in_the_id(&output, "validate");
}

/// Lays the files out as a package installs them under `root/usr/share`.
fn install_tree(root: &Path) {
    let share = root.join("usr/share");
    let copy = |from: PathBuf, to: PathBuf| {
        std::fs::create_dir_all(to.parent().expect("a folder")).expect("mkdir");
        std::fs::copy(&from, &to)
            .unwrap_or_else(|e| panic!("copy {} -> {}: {e}", from.display(), to.display()));
    };
    copy(
        metainfo_path(),
        share.join(format!("metainfo/{APP_ID}.metainfo.xml")),
    );
    copy(
        desktop_path(),
        share.join(format!("applications/{APP_ID}.desktop")),
    );
    copy(
        mime_path(),
        share.join(format!("mime/packages/{APP_ID}.xml")),
    );
    for size in HICOLOR_SIZES {
        let name = format!("icons/hicolor/{size}x{size}/apps/{APP_ID}.png");
        copy(packaging(&name), share.join(&name));
    }
}

#[test]
fn the_installed_tree_passes_appstreamcli_validate_tree() {
    let appstreamcli = tool("appstreamcli", "appstream");
    let root = tempfile::tempdir().expect("a temporary folder");
    install_tree(root.path());
    let output = run(Command::new(&appstreamcli)
        .args(["validate-tree", "--no-net", "--pedantic", "--no-color"])
        .arg(root.path()));
    assert_only_the_capital_in_the_id(&output, "validate-tree");
}

#[test]
fn the_metainfo_agrees_with_the_app_id_and_cargo_toml() {
    let component = read_xml(&metainfo_path());
    assert_eq!(component.name, "component");
    assert_eq!(component.attribute("type"), Some("desktop-application"));
    assert_eq!(component.child("id").text(), APP_ID);
    let launchable = component.child("launchable");
    assert_eq!(launchable.attribute("type"), Some("desktop-id"));
    assert_eq!(launchable.text(), format!("{APP_ID}.desktop"));
    assert_eq!(component.child("provides").child("binary").text(), BINARY);
    assert_eq!(
        component.child("project_license").text(),
        env!("CARGO_PKG_LICENSE")
    );
    assert_eq!(component.child("metadata_license").text(), "CC0-1.0");
    assert_eq!(
        component.child("content_rating").attribute("type"),
        Some("oars-1.1")
    );

    let newest = component.child("releases").child("release");
    assert_eq!(
        newest.attribute("version"),
        Some(env!("CARGO_PKG_VERSION")),
        "the newest release is Cargo.toml's version"
    );

    // The screenshot is the README's, at its real size.
    let image = component
        .child("screenshots")
        .child("screenshot")
        .child("image");
    let url = image.text();
    let in_repo = url
        .split_once("/main/")
        .map(|(_, path)| path)
        .unwrap_or_else(|| panic!("the screenshot URL names no file on main: {url}"));
    let (width, height) = png_size(&Path::new(env!("CARGO_MANIFEST_DIR")).join(in_repo));
    assert_eq!(image.attribute("width"), Some(width.to_string().as_str()));
    assert_eq!(image.attribute("height"), Some(height.to_string().as_str()));
}

// The shared-mime-info definition.

/// The internal DTD of shared-mime-info's own freedesktop.org.xml: the
/// schema its packages are written to.
fn shared_mime_info_dtd() -> String {
    let text = read(&system_mime_file("packages/freedesktop.org.xml"));
    let start = text
        .find("<!DOCTYPE mime-info [")
        .expect("freedesktop.org.xml carries its DTD")
        + "<!DOCTYPE mime-info [".len();
    let end = start + text[start..].find("]>").expect("the DTD's end");
    text[start..end].to_string()
}

#[test]
fn the_mime_definition_is_valid_and_claims_earmark_files_only() {
    let xmllint = tool("xmllint", "libxml2-utils");
    let definition = read_xml(&mime_path());
    assert_eq!(definition.name, "mime-info");
    assert_eq!(
        definition.attribute("xmlns"),
        Some("http://www.freedesktop.org/standards/shared-mime-info")
    );
    let types: Vec<&Element> = definition.children("mime-type").collect();
    let session = types
        .iter()
        .find(|t| t.attribute("type") == Some(SESSION_MIME_TYPE))
        .unwrap_or_else(|| panic!("no {SESSION_MIME_TYPE}"));
    let globs: Vec<_> = session
        .children("glob")
        .filter_map(|g| g.attribute("pattern"))
        .collect();
    assert_eq!(globs, [format!("*.{SESSION_EXTENSION}")]);
    assert_eq!(
        session.child("sub-class-of").attribute("type"),
        Some("application/json")
    );

    // Nothing the system already defines is defined again.
    let system = read(&system_mime_file("packages/freedesktop.org.xml"));
    for mime_type in &types {
        let name = mime_type.attribute("type").expect("a type");
        assert!(
            !system.contains(&format!("<mime-type type=\"{name}\">")),
            "{name} is shared-mime-info's own"
        );
    }

    // Valid against shared-mime-info's DTD.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let dtd = folder.path().join("mime-info.dtd");
    std::fs::write(&dtd, shared_mime_info_dtd()).expect("write the DTD");
    let output = run(Command::new(xmllint)
        .arg("--noout")
        .arg("--dtdvalid")
        .arg(&dtd)
        .arg(mime_path()));
    assert!(
        output.status.success(),
        "xmllint --dtdvalid: {}\n{}",
        output.status,
        text_of(&output)
    );
}

#[test]
fn update_mime_database_reads_the_definition_and_earmark_files_get_the_type() {
    let update = tool("update-mime-database", "shared-mime-info");
    let root = tempfile::tempdir().expect("a temporary folder");
    let mime = root.path().join("mime");
    let packages = mime.join("packages");
    std::fs::create_dir_all(&packages).expect("mkdir");
    std::fs::copy(
        system_mime_file("packages/freedesktop.org.xml"),
        packages.join("freedesktop.org.xml"),
    )
    .expect("copy freedesktop.org.xml");
    std::fs::copy(mime_path(), packages.join(format!("{APP_ID}.xml"))).expect("copy ours");
    // update-mime-database exits 0 even on a file it cannot parse: what it
    // says is the verdict. The search path includes the folder, or it would
    // say that instead.
    let output = run(Command::new(update)
        .env("XDG_DATA_DIRS", root.path())
        .arg(&mime));
    assert!(
        output.status.success() && text_of(&output).trim().is_empty(),
        "update-mime-database: {}\n{}",
        output.status,
        text_of(&output)
    );
    let globs = read(&mime.join("globs2"));
    assert!(
        globs
            .lines()
            .any(|l| l.ends_with(&format!(":{SESSION_MIME_TYPE}:*.{SESSION_EXTENSION}"))),
        "globs2 has no *.{SESSION_EXTENSION}"
    );
    let subclasses = read(&mime.join("subclasses"));
    let parents: Vec<_> = subclasses
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{SESSION_MIME_TYPE} ")))
        .collect();
    assert_eq!(
        parents,
        ["application/json"],
        "{SESSION_MIME_TYPE}'s parents"
    );
}

// The macOS bundle.

fn info_plist() -> plist::Dictionary {
    let value = plist::Value::from_file(plist_path())
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", plist_path().display()));
    value.into_dictionary().expect("Info.plist is a dictionary")
}

fn plist_string<'a>(dict: &'a plist::Dictionary, key: &str) -> &'a str {
    dict.get(key)
        .and_then(plist::Value::as_string)
        .unwrap_or_else(|| panic!("Info.plist has no string {key}"))
}

fn plist_strings(dict: &plist::Dictionary, key: &str) -> Vec<String> {
    dict.get(key)
        .and_then(plist::Value::as_array)
        .map(|array| {
            array
                .iter()
                .map(|v| {
                    v.as_string()
                        .unwrap_or_else(|| panic!("{key} holds a non-string"))
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The type identifiers the plist declares (exported and imported), with
/// the extensions each names.
fn declared_types(info: &plist::Dictionary) -> BTreeMap<String, (Vec<String>, plist::Dictionary)> {
    let mut declared = BTreeMap::new();
    for key in ["UTExportedTypeDeclarations", "UTImportedTypeDeclarations"] {
        let Some(declarations) = info.get(key).and_then(plist::Value::as_array) else {
            continue;
        };
        for declaration in declarations {
            let declaration = declaration
                .as_dictionary()
                .unwrap_or_else(|| panic!("{key} holds a non-dictionary"));
            let tags = declaration
                .get("UTTypeTagSpecification")
                .and_then(plist::Value::as_dictionary)
                .cloned()
                .unwrap_or_default();
            declared.insert(
                plist_string(declaration, "UTTypeIdentifier").to_string(),
                (
                    plist_strings(&tags, "public.filename-extension"),
                    declaration.clone(),
                ),
            );
        }
    }
    declared
}

/// Each document type of the plist: its name, role, rank and extensions.
fn document_types(info: &plist::Dictionary) -> Vec<(String, String, String, Vec<String>)> {
    let declared = declared_types(info);
    let types = info
        .get("CFBundleDocumentTypes")
        .and_then(plist::Value::as_array)
        .expect("Info.plist has CFBundleDocumentTypes");
    types
        .iter()
        .map(|document| {
            let document = document.as_dictionary().expect("a document type");
            let name = plist_string(document, "CFBundleTypeName").to_string();
            let mut extensions = plist_strings(document, "CFBundleTypeExtensions");
            let content_types = plist_strings(document, "LSItemContentTypes");
            assert!(
                extensions.is_empty() || content_types.is_empty(),
                "{name}: macOS ignores CFBundleTypeExtensions beside LSItemContentTypes"
            );
            for uti in content_types {
                let (tagged, _) = declared.get(&uti).unwrap_or_else(|| {
                    panic!(
                        "{name}: {uti} is not declared in the plist, so its files are unknown here"
                    )
                });
                extensions.extend(tagged.iter().cloned());
            }
            assert!(!extensions.is_empty(), "{name} opens nothing");
            (
                name,
                plist_string(document, "CFBundleTypeRole").to_string(),
                plist_string(document, "LSHandlerRank").to_string(),
                extensions,
            )
        })
        .collect()
}

#[test]
fn the_info_plist_parses_and_agrees_with_the_app_id_and_cargo_toml() {
    let info = info_plist();
    let version = env!("CARGO_PKG_VERSION");
    for (key, expected) in [
        ("CFBundleIdentifier", APP_ID),
        ("CFBundleExecutable", BINARY),
        ("CFBundleName", "Earmark"),
        ("CFBundleDisplayName", "Earmark"),
        ("CFBundlePackageType", "APPL"),
        ("CFBundleInfoDictionaryVersion", "6.0"),
        ("CFBundleShortVersionString", version),
        ("CFBundleVersion", version),
    ] {
        assert_eq!(plist_string(&info, key), expected, "{key}");
    }
    let minimum = plist_string(&info, "LSMinimumSystemVersion");
    let major: u32 = minimum
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or_else(|| panic!("LSMinimumSystemVersion {minimum}"));
    assert!(
        major >= 11,
        "LSMinimumSystemVersion {minimum}: Apple silicon starts at 11"
    );
    assert_eq!(
        info.get("NSHighResolutionCapable")
            .and_then(plist::Value::as_boolean),
        Some(true)
    );
    let icon = plist_string(&info, "CFBundleIconFile");
    assert!(
        packaging(&format!("icons/{icon}")).is_file(),
        "CFBundleIconFile {icon} is not in packaging/icons"
    );

    // The session type: exported, JSON, named like the Linux MIME type.
    let declared = declared_types(&info);
    let (extensions, declaration) = declared
        .get(&format!("{APP_ID}.session"))
        .expect("the session type is declared");
    assert_eq!(extensions, &[SESSION_EXTENSION]);
    assert_eq!(
        plist_strings(declaration, "UTTypeConformsTo"),
        ["public.json"]
    );
    let tags = declaration
        .get("UTTypeTagSpecification")
        .and_then(plist::Value::as_dictionary)
        .expect("tags");
    assert_eq!(plist_strings(tags, "public.mime-type"), [SESSION_MIME_TYPE]);
    let exported = info
        .get("UTExportedTypeDeclarations")
        .and_then(plist::Value::as_array)
        .expect("the session type is exported: Earmark owns it");
    assert_eq!(exported.len(), 1);
}

#[test]
fn the_info_plist_opens_exactly_what_the_app_opens_in_the_right_roles() {
    let transcripts = set(&TRANSCRIPT_EXTENSIONS);
    let audio = set(&AUDIO_EXTENSIONS);
    let mut claimed = BTreeSet::new();
    for (name, role, rank, extensions) in document_types(&info_plist()) {
        assert!(
            ["Owner", "Default", "Alternate"].contains(&rank.as_str()),
            "{name}: LSHandlerRank {rank}"
        );
        for extension in extensions {
            let expected_role =
                if extension == SESSION_EXTENSION || transcripts.contains(&extension) {
                    "Editor"
                } else if audio.contains(&extension) {
                    "Viewer"
                } else {
                    panic!("{name}: the app does not open .{extension}")
                };
            assert_eq!(role, expected_role, "{name} (.{extension})");
            if extension == SESSION_EXTENSION {
                assert_eq!(rank, "Owner", "Earmark owns .{extension}");
            }
            if NOT_CLAIMED_ON_LINUX.contains(&extension.as_str()) {
                assert_eq!(rank, "Alternate", "{name}: .{extension} is only offered");
            }
            assert!(claimed.insert(extension.clone()), ".{extension} twice");
        }
    }
    assert_eq!(
        claimed,
        app_extensions(),
        "the bundle claims what the app opens"
    );
}

// The three lists of file types.

/// `pattern` → MIME types, from a shared-mime-info globs2 file.
fn globs(path: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_extension: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in read(path).lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<_> = line.split(':').collect();
        if let [_weight, mime_type, pattern, ..] = fields[..]
            && let Some(extension) = pattern.strip_prefix("*.")
        {
            by_extension
                .entry(extension.to_ascii_lowercase())
                .or_default()
                .insert(mime_type.to_string());
        }
    }
    by_extension
}

#[test]
fn the_desktop_entry_claims_the_mime_types_of_what_the_app_opens() {
    let listed = desktop_list(&desktop_entry(), "MimeType");
    let app = app_extensions();
    let not_claimed = set(&NOT_CLAIMED_ON_LINUX);
    assert!(
        not_claimed.is_subset(&app),
        "NOT_CLAIMED_ON_LINUX names files the app does not open"
    );

    // The system's globs, with ours added as an installed package would.
    let mut by_extension = globs(&system_mime_file("globs2"));
    let definition = read_xml(&mime_path());
    for mime_type in definition.children("mime-type") {
        for glob in mime_type.children("glob") {
            let pattern = glob.attribute("pattern").expect("a pattern");
            let extension = pattern.strip_prefix("*.").expect("a *.ext glob");
            by_extension
                .entry(extension.to_string())
                .or_default()
                .insert(mime_type.attribute("type").expect("a type").to_string());
        }
    }
    let aliases: BTreeSet<String> = read(&system_mime_file("aliases"))
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();

    // Each listed type is canonical and is that of a file the app opens and
    // Linux claims.
    for mime_type in &listed {
        assert!(
            !aliases.contains(mime_type),
            "{mime_type} is an alias; list the canonical type"
        );
        let opened: Vec<_> = by_extension
            .iter()
            .filter(|(extension, types)| {
                types.contains(mime_type)
                    && app.contains(*extension)
                    && !not_claimed.contains(*extension)
            })
            .map(|(extension, _)| extension)
            .collect();
        assert!(
            !opened.is_empty(),
            "{mime_type}: no file of this type is one the app opens and Linux claims"
        );
    }
    // Each extension the app opens (but those left out on purpose) has its
    // type listed.
    for extension in app.difference(&not_claimed) {
        let types = by_extension
            .get(extension)
            .unwrap_or_else(|| panic!("no MIME type knows .{extension}"));
        assert!(
            types.iter().any(|t| listed.contains(t)),
            ".{extension} ({types:?}) is not in the desktop entry's MimeType"
        );
    }
}

// The icons.

/// The width and height in a PNG's header, after checking it is a PNG.
fn png_size(path: &Path) -> (u32, u32) {
    png_header(&read_bytes(path), &path.display().to_string())
}

fn png_header(bytes: &[u8], what: &str) -> (u32, u32) {
    assert!(
        bytes.len() > 33 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{what} is not a PNG"
    );
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    (be(16), be(20))
}

#[test]
fn the_hicolor_icons_are_rgba_pngs_at_every_size() {
    for size in HICOLOR_SIZES {
        let path = packaging(&format!("icons/hicolor/{size}x{size}/apps/{APP_ID}.png"));
        let bytes = read_bytes(&path);
        assert_eq!(
            png_header(&bytes, &path.display().to_string()),
            (size, size),
            "{}",
            path.display()
        );
        assert_eq!(
            (bytes[24], bytes[25]),
            (8, 6),
            "{}: 8-bit RGBA",
            path.display()
        );
    }
    assert!(
        read(&packaging(&format!(
            "icons/hicolor/scalable/apps/{APP_ID}.svg"
        ))) == read(&packaging("icons/earmark.svg")),
        "the scalable icon is not earmark.svg: run packaging/icons/make-icons.sh"
    );
    assert!(
        read(&packaging("icons/make-icons.sh")).contains(&format!("\nAPP_ID={APP_ID}\n")),
        "make-icons.sh names the icons by another app id"
    );
}

#[test]
fn the_windows_icon_holds_every_size_from_16_to_256() {
    let path = packaging("icons/earmark.ico");
    let bytes = read_bytes(&path);
    let le16 = |at: usize| u16::from_le_bytes(bytes[at..at + 2].try_into().expect("2 bytes"));
    let le32 = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    assert_eq!((le16(0), le16(2)), (0, 1), "an ICO header");
    let count = usize::from(le16(4));
    let mut sizes = Vec::new();
    for entry in 0..count {
        let at = 6 + entry * 16;
        let side = |byte: u8| if byte == 0 { 256 } else { u32::from(byte) };
        let (width, height) = (side(bytes[at]), side(bytes[at + 1]));
        assert_eq!(width, height, "a square image");
        let (length, offset) = (le32(at + 8) as usize, le32(at + 12) as usize);
        let image = bytes
            .get(offset..offset + length)
            .unwrap_or_else(|| panic!("the {width} px image lies past the end"));
        if image.starts_with(b"\x89PNG") {
            assert_eq!(png_header(image, "the ICO's PNG"), (width, height));
        } else {
            // A BITMAPINFOHEADER: its height counts the colour and the mask.
            let le = |at: usize| u32::from_le_bytes(image[at..at + 4].try_into().expect("4 bytes"));
            assert_eq!(
                (le(0), le(4), le(8)),
                (40, width, 2 * height),
                "the {width} px bitmap"
            );
        }
        sizes.push(width);
    }
    assert_eq!(sizes, ICO_SIZES);
}

#[test]
fn the_macos_icon_holds_every_size_from_16_to_1024() {
    let path = packaging("icons/earmark.icns");
    let bytes = read_bytes(&path);
    let be =
        |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
    assert_eq!(&bytes[0..4], b"icns");
    assert_eq!(be(4), bytes.len(), "the length in the header");
    let mut found = Vec::new();
    let mut at = 8;
    while at < bytes.len() {
        let kind = String::from_utf8_lossy(&bytes[at..at + 4]).into_owned();
        let length = be(at + 4);
        assert!(
            length > 8 && at + length <= bytes.len(),
            "{kind}: its length"
        );
        let data = &bytes[at + 8..at + length];
        let size = ICNS_ELEMENTS
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, size)| *size)
            .unwrap_or_else(|| panic!("an unexpected element {kind}"));
        match kind.as_str() {
            "s8mk" | "l8mk" => {
                assert_eq!(data.len() as u32, size * size, "{kind}: one byte a pixel")
            }
            "is32" | "il32" => {}
            _ => assert_eq!(png_header(data, &kind), (size, size), "{kind}"),
        }
        found.push(kind);
        at += length;
    }
    let expected: Vec<_> = ICNS_ELEMENTS.iter().map(|(k, _)| k.to_string()).collect();
    assert_eq!(found, expected);
}

// The Windows installer (Inno Setup).

fn installer_path() -> PathBuf {
    packaging("windows/earmark.iss")
}

/// One line of an Inno Setup section such as `[Registry]`: its parameters
/// (`Root: HKA; Subkey: "..."; ...`), quotes removed, `""` read as `"`,
/// and `{#Name}` replaced by the script's `#define`s.
type InnoEntry = BTreeMap<String, String>;

/// An Inno Setup script as the tests read it.
struct InnoScript {
    /// `#define Name "text"` and `#define Name "text" + Other + "text"`.
    defines: BTreeMap<String, String>,
    /// Each section's lines, comments and preprocessor lines left out.
    sections: BTreeMap<String, Vec<String>>,
}

impl InnoScript {
    fn read(path: &Path) -> Self {
        let mut script = InnoScript {
            defines: BTreeMap::new(),
            sections: BTreeMap::new(),
        };
        let mut section = String::new();
        for line in read(path).lines().map(str::trim) {
            if let Some(define) = line.strip_prefix("#define ") {
                let (name, value) = define.trim().split_once(' ').expect("#define NAME VALUE");
                if let Some(value) = script.evaluate(value.trim()) {
                    script.defines.insert(name.to_string(), value);
                }
            } else if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
                continue;
            } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.to_string();
            } else {
                assert!(
                    !section.is_empty(),
                    "{}: a line before any section: {line}",
                    path.display()
                );
                let line = script.expand(line);
                script
                    .sections
                    .entry(section.clone())
                    .or_default()
                    .push(line);
            }
        }
        script
    }

    /// A `#define`'s value made of string literals and earlier defines
    /// joined by `+`; `None` for anything else (function calls).
    fn evaluate(&self, expression: &str) -> Option<String> {
        let mut value = String::new();
        for term in expression.split(" + ").map(str::trim) {
            if let Some(literal) = term.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
                value.push_str(&literal.replace("\"\"", "\""));
            } else {
                value.push_str(self.defines.get(term)?);
            }
        }
        Some(value)
    }

    /// `line` with each `{#Name}` of a plain `#define` replaced; the others
    /// (computed when the installer is compiled) are left as they are.
    fn expand(&self, line: &str) -> String {
        let mut line = line.to_string();
        let mut from = 0;
        while let Some(start) = line[from..].find("{#").map(|at| from + at) {
            let end = start + line[start..].find('}').expect("{#Name}");
            match self.defines.get(&line[start + 2..end]) {
                Some(value) => {
                    let value = value.clone();
                    line.replace_range(start..=end, &value);
                    from = start + value.len();
                }
                None => from = end + 1,
            }
        }
        line
    }

    fn define(&self, name: &str) -> &str {
        self.defines
            .get(name)
            .unwrap_or_else(|| panic!("no #define {name}"))
    }

    /// `[Setup]`'s `Key=Value` lines.
    fn setup(&self) -> BTreeMap<String, String> {
        self.sections["Setup"]
            .iter()
            .map(|line| {
                let (key, value) = line.split_once('=').expect("Key=Value");
                (key.trim().to_string(), value.trim().to_string())
            })
            .collect()
    }

    fn entries(&self, section: &str) -> Vec<InnoEntry> {
        self.sections
            .get(section)
            .unwrap_or_else(|| panic!("no [{section}]"))
            .iter()
            .map(|line| inno_entry(line))
            .collect()
    }
}

/// Splits `Name: value; Name: "quoted; value"` into its parameters.
fn inno_entry(line: &str) -> InnoEntry {
    let mut entry = InnoEntry::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once(':')
            .unwrap_or_else(|| panic!("not Name: value: {rest}"));
        let after = after.trim_start();
        let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
            // A quoted value ends at a quote that is not doubled.
            let mut value = String::new();
            let mut chars = quoted.char_indices().peekable();
            let mut end = None;
            while let Some((at, c)) = chars.next() {
                if c == '"' {
                    if chars.peek().map(|(_, next)| *next) == Some('"') {
                        value.push('"');
                        chars.next();
                    } else {
                        end = Some(at + 1);
                        break;
                    }
                } else {
                    value.push(c);
                }
            }
            let end = end.unwrap_or_else(|| panic!("an unclosed quote: {line}"));
            (value, &quoted[end..])
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        assert!(
            entry.insert(name.trim().to_string(), value).is_none(),
            "{name} twice: {line}"
        );
        rest = after.trim_start();
        rest = rest.strip_prefix(';').unwrap_or(rest).trim_start();
    }
    entry
}

fn param<'a>(entry: &'a InnoEntry, name: &str) -> &'a str {
    entry
        .get(name)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no {name} in {entry:?}"))
}

fn flags(entry: &InnoEntry) -> BTreeSet<&str> {
    entry
        .get("Flags")
        .map(|f| f.split_whitespace().collect())
        .unwrap_or_default()
}

#[test]
fn inno_entries_are_read_as_inno_setup_reads_them() {
    let entry = inno_entry(
        r#"Root: HKA; Subkey: "a\b; c"; ValueData: """{app}\x.exe"" ""%1"""; Flags: uninsdeletekey"#,
    );
    assert_eq!(param(&entry, "Root"), "HKA");
    assert_eq!(param(&entry, "Subkey"), r"a\b; c");
    assert_eq!(param(&entry, "ValueData"), r#""{app}\x.exe" "%1""#);
    assert_eq!(flags(&entry), BTreeSet::from(["uninsdeletekey"]));
}

#[test]
fn the_windows_installer_names_the_app_by_its_id_and_installs_the_binary() {
    let script = InnoScript::read(&installer_path());
    let exe = format!("{BINARY}.exe");
    assert_eq!(script.define("AppId"), APP_ID);
    assert_eq!(script.define("AppName"), "Earmark");
    assert_eq!(script.define("ExeName"), exe);
    let command = format!(r"{{app}}\{exe}");
    assert_eq!(script.define("Command"), command);

    let setup = script.setup();
    let get = |key: &str| {
        setup
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("[Setup] has no {key}"))
    };
    assert_eq!(get("AppId"), APP_ID, "the uninstall entry's id");
    assert_eq!(
        get("ChangesAssociations"),
        "yes",
        "Explorer rereads file types"
    );
    assert_eq!(
        get("PrivilegesRequired"),
        "lowest",
        "installs without admin"
    );
    assert_eq!(get("UninstallDisplayIcon"), command);
    for key in ["SetupIconFile", "OutputDir"] {
        assert!(
            !get(key).contains('/'),
            "{key} is a Windows path: {}",
            get(key)
        );
    }
    let icon = packaging("windows").join(get("SetupIconFile").replace('\\', "/"));
    assert_eq!(
        std::fs::canonicalize(&icon).ok(),
        std::fs::canonicalize(packaging("icons/earmark.ico")).ok(),
        "SetupIconFile is packaging/icons/earmark.ico"
    );

    // The version is the one build.rs embeds from Cargo.toml.
    let text = read(&installer_path());
    assert!(
        text.contains(r#"#define AppVersion GetStringFileInfo(Exe, "ProductVersion")"#),
        "the installer's version comes from the executable"
    );
    assert!(
        !setup["AppVersion"].chars().any(|c| c.is_ascii_digit()),
        "AppVersion is written out: {}",
        setup["AppVersion"]
    );
    let build = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("build.rs"));
    assert!(
        build.contains(r#".set("ProductVersion", &version)"#)
            && build.contains(r#"env::var("CARGO_PKG_VERSION")"#),
        "build.rs writes Cargo's version as the executable's ProductVersion"
    );
    assert!(
        build.contains(r#"const ICON: &str = "packaging/icons/earmark.ico";"#),
        "build.rs embeds packaging/icons/earmark.ico"
    );

    let files = script.entries("Files");
    assert_eq!(files.len(), 1, "earmark.exe alone");
    assert_eq!(param(&files[0], "DestDir"), "{app}");
    assert_eq!(param(&files[0], "DestName"), exe);

    let start_menu: Vec<_> = script
        .entries("Icons")
        .into_iter()
        .filter(|icon| param(icon, "Name").starts_with("{autoprograms}"))
        .collect();
    assert_eq!(start_menu.len(), 1, "one Start-menu entry");
    assert_eq!(param(&start_menu[0], "Filename"), command);
    assert_eq!(
        param(&start_menu[0], "AppUserModelID"),
        APP_ID,
        "the shortcut and the window (src/windows_process.rs) share the taskbar id"
    );
}

#[test]
fn the_windows_installer_registers_what_the_app_opens_as_the_info_plist_groups_them() {
    let script = InnoScript::read(&installer_path());
    let exe = format!("{BINARY}.exe");
    let open = format!(r#""{{app}}\{exe}" "%1""#);
    let classes = r"Software\Classes\";
    let registry = script.entries("Registry");
    for entry in &registry {
        assert_eq!(
            param(entry, "Root"),
            "HKA",
            "per user or per machine as installed"
        );
        assert!(
            param(entry, "Subkey").starts_with(classes),
            "{entry:?} is outside Software\\Classes"
        );
    }
    // The uninstaller removes each entry: by its own flag, or with a key
    // above it that it deletes whole.
    let deleted_keys: Vec<&str> = registry
        .iter()
        .filter(|e| flags(e).contains("uninsdeletekey"))
        .map(|e| param(e, "Subkey"))
        .collect();
    for entry in &registry {
        let subkey = param(entry, "Subkey");
        assert!(
            flags(entry).contains("uninsdeletevalue")
                || deleted_keys
                    .iter()
                    .any(|key| subkey == *key || subkey.starts_with(&format!(r"{key}\"))),
            "the uninstaller leaves {subkey} ({:?})",
            entry.get("ValueName")
        );
    }
    let values = |subkey: &str| -> Vec<&InnoEntry> {
        registry
            .iter()
            .filter(|e| param(e, "Subkey") == format!("{classes}{subkey}"))
            .collect()
    };
    let value = |subkey: &str, name: &str| -> Option<&InnoEntry> {
        values(subkey)
            .into_iter()
            .find(|e| e.get("ValueName").map(String::as_str) == Some(name))
    };

    // Each extension names its kind's ProgID under OpenWithProgids, once.
    let mut progid_of: BTreeMap<String, String> = BTreeMap::new();
    for entry in &registry {
        let subkey = &param(entry, "Subkey")[classes.len()..];
        if let Some(extension) = subkey
            .strip_prefix('.')
            .and_then(|s| s.strip_suffix(r"\OpenWithProgids"))
        {
            assert!(
                flags(entry).contains("uninsdeletevalue"),
                ".{extension}: the uninstaller removes it"
            );
            let progid = param(entry, "ValueName").to_string();
            assert!(
                progid_of.insert(extension.to_string(), progid).is_none(),
                ".{extension} twice"
            );
        }
    }
    assert_eq!(
        progid_of.keys().cloned().collect::<BTreeSet<_>>(),
        app_extensions(),
        "the installer registers what the app opens"
    );

    // Each ProgID: named, its icon, opening with earmark.exe, removed on uninstall.
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for progid in progid_of.values().collect::<BTreeSet<_>>() {
        assert!(
            progid.starts_with(&format!("{APP_ID}.")),
            "{progid} is not under the app id"
        );
        let name = value(progid, "").unwrap_or_else(|| panic!("{progid} has no name"));
        assert!(flags(name).contains("uninsdeletekey"), "{progid} stays");
        assert_eq!(
            param(
                value(&format!(r"{progid}\shell\open\command"), "").expect("open"),
                "ValueData"
            ),
            open
        );
        assert_eq!(
            param(
                value(&format!(r"{progid}\DefaultIcon"), "").expect("icon"),
                "ValueData"
            ),
            format!(r"{{app}}\{exe},0")
        );
        let extensions = progid_of
            .iter()
            .filter(|(_, p)| *p == progid)
            .map(|(e, _)| e.clone())
            .collect();
        groups.insert(param(name, "ValueData").to_string(), extensions);
    }

    // The same groups, by the same names, as the plist's document types.
    let plist_groups: BTreeMap<String, BTreeSet<String>> = document_types(&info_plist())
        .into_iter()
        .map(|(name, _, _, extensions)| (name, extensions.into_iter().collect()))
        .collect();
    assert_eq!(
        groups, plist_groups,
        "the installer's kinds are the plist's"
    );

    // Earmark is the default handler of its session file alone, as it is
    // its Owner on macOS.
    let owned: Vec<_> = registry
        .iter()
        .filter(|e| {
            let subkey = &param(e, "Subkey")[classes.len()..];
            subkey.starts_with('.') && !subkey.contains('\\') && param(e, "ValueName").is_empty()
        })
        .collect();
    assert_eq!(owned.len(), 1, "one extension's default handler is set");
    assert_eq!(
        param(owned[0], "Subkey"),
        format!("{classes}.{SESSION_EXTENSION}")
    );
    assert_eq!(param(owned[0], "ValueData"), progid_of[SESSION_EXTENSION]);
    assert_eq!(
        param(
            value(&format!(".{SESSION_EXTENSION}"), "Content Type").expect("a MIME type"),
            "ValueData"
        ),
        SESSION_MIME_TYPE
    );
    let owners: Vec<_> = document_types(&info_plist())
        .into_iter()
        .filter(|(_, _, rank, _)| rank == "Owner")
        .map(|(name, ..)| name)
        .collect();
    assert_eq!(
        owners,
        [param(
            value(&progid_of[SESSION_EXTENSION], "").expect("named"),
            "ValueData"
        )]
    );

    // "Open with" knows the application itself and every type it takes.
    let application = format!(r"Applications\{exe}");
    assert_eq!(
        param(
            value(&application, "FriendlyAppName").expect("a name"),
            "ValueData"
        ),
        "Earmark"
    );
    assert!(
        flags(value(&application, "FriendlyAppName").expect("a name")).contains("uninsdeletekey")
    );
    assert_eq!(
        param(
            value(&format!(r"{application}\shell\open\command"), "").expect("open"),
            "ValueData"
        ),
        open
    );
    let supported: BTreeSet<String> = values(&format!(r"{application}\SupportedTypes"))
        .into_iter()
        .map(|e| {
            param(e, "ValueName")
                .strip_prefix('.')
                .expect(".ext")
                .to_string()
        })
        .collect();
    assert_eq!(supported, app_extensions(), "SupportedTypes");
}

// The Flatpak manifest.

fn flatpak_manifest_path() -> PathBuf {
    packaging(&format!("flatpak/{APP_ID}.json"))
}

fn json_strings<'a>(value: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not a list"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("{key}: {v} is not a string"))
        })
        .collect()
}

#[test]
fn the_flatpak_manifest_builds_the_app_id_and_installs_the_files_in_the_repo() {
    let path = flatpak_manifest_path();
    let manifest: serde_json::Value = serde_json::from_str(&read(&path))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    assert_eq!(manifest["app-id"], APP_ID);
    assert_eq!(manifest["command"], BINARY);
    assert_eq!(manifest["runtime"], "org.freedesktop.Platform");
    assert_eq!(manifest["sdk"], "org.freedesktop.Sdk");
    assert_eq!(manifest["runtime-version"], "24.08");
    assert!(
        json_strings(&manifest, "sdk-extensions")
            .contains(&"org.freedesktop.Sdk.Extension.rust-stable")
    );

    let finish_args: BTreeSet<&str> = json_strings(&manifest, "finish-args").into_iter().collect();
    for needed in [
        "--share=ipc",
        "--socket=wayland",
        "--socket=fallback-x11",
        "--device=dri",
        "--socket=pulseaudio",
        "--own-name=org.mpris.MediaPlayer2.earmark",
    ] {
        assert!(finish_args.contains(needed), "finish-args lacks {needed}");
    }
    assert!(
        !finish_args.contains("--socket=x11"),
        "X11 only as the fallback to Wayland"
    );

    let modules = manifest["modules"].as_array().expect("modules");
    assert_eq!(modules.len(), 1, "one module: earmark");
    let module = &modules[0];
    assert_eq!(module["name"], BINARY);
    assert_eq!(
        module["build-options"]["env"]["CARGO_HOME"],
        format!("/run/build/{BINARY}/cargo"),
        "where flatpak-cargo-generator's sources put cargo's config"
    );

    // The sources: this repository, and the crates flatpak-cargo-generator lists.
    let sources = module["sources"].as_array().expect("sources");
    let dir = sources
        .iter()
        .find(|s| s["type"] == "dir")
        .expect("a dir source");
    let root = path
        .parent()
        .expect("a folder")
        .join(dir["path"].as_str().expect("a path"));
    assert_eq!(
        std::fs::canonicalize(&root).ok(),
        std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).ok(),
        "the dir source is the repository"
    );
    assert!(
        sources.iter().any(|s| s == "cargo-sources.json"),
        "the crates, for an offline build"
    );
    assert!(
        read(&packaging("flatpak/.gitignore"))
            .lines()
            .any(|l| l.trim() == "cargo-sources.json"),
        "cargo-sources.json is generated, not committed"
    );

    // Every `install SRC DEST`: SRC is in the repository; DEST the set below.
    let commands = json_strings(module, "build-commands");
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("cargo --offline build --release --locked")),
        "an offline, locked release build"
    );
    let mut installed = BTreeSet::new();
    for command in &commands {
        let words: Vec<&str> = command.split_whitespace().collect();
        if let ["install", mode, source, destination] = words[..] {
            assert!(mode.starts_with("-Dm"), "{command}");
            if source != "target/release/earmark" {
                assert!(
                    Path::new(env!("CARGO_MANIFEST_DIR")).join(source).is_file(),
                    "{source} is not in the repository"
                );
            }
            installed.insert(destination.to_string());
        }
    }
    let mut expected: BTreeSet<String> = [
        format!("/app/bin/{BINARY}"),
        format!("/app/share/applications/{APP_ID}.desktop"),
        format!("/app/share/metainfo/{APP_ID}.metainfo.xml"),
        format!("/app/share/mime/packages/{APP_ID}.xml"),
        format!("/app/share/icons/hicolor/scalable/apps/{APP_ID}.svg"),
    ]
    .into();
    for size in HICOLOR_SIZES {
        expected.insert(format!(
            "/app/share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png"
        ));
    }
    assert_eq!(installed, expected);
}

// The scripts.

fn macos_scripts() -> [PathBuf; 2] {
    [packaging("macos/bundle.sh"), packaging("macos/dmg.sh")]
}

/// Every script under `packaging/`: the set-up, the icons, the Linux
/// package's and the macOS ones.
fn packaging_scripts() -> Vec<PathBuf> {
    let mut scripts = vec![
        packaging("setup.sh"),
        packaging("icons/make-icons.sh"),
        packaging("linux/deb.sh"),
        packaging("linux/check-deb.sh"),
        packaging("linux/debian12-check.sh"),
        packaging("linux/try-as-user.sh"),
    ];
    scripts.extend(macos_scripts());
    scripts
}

#[test]
fn the_packaging_scripts_pass_bash_n_and_shellcheck() {
    let shellcheck = tool("shellcheck", "shellcheck");
    for script in packaging_scripts() {
        let text = read(&script);
        assert!(
            text.starts_with("#!/usr/bin/env bash\n") && text.contains("\nset -euo pipefail\n"),
            "{}: bash, stopping at the first error",
            script.display()
        );
        let output = run(Command::new("bash").arg("-n").arg(&script));
        assert!(
            output.status.success(),
            "bash -n {}: {}",
            script.display(),
            text_of(&output)
        );
        let output = run(Command::new(&shellcheck).arg(&script));
        assert!(
            output.status.success(),
            "shellcheck {}:\n{}",
            script.display(),
            text_of(&output)
        );
    }
}

#[test]
fn the_bundle_script_lays_out_what_the_info_plist_names() {
    let info = info_plist();
    let script = read(&packaging("macos/bundle.sh"));
    for (key, place) in [
        ("CFBundleExecutable", "Contents/MacOS"),
        ("CFBundleIconFile", "Contents/Resources"),
    ] {
        let file = plist_string(&info, key);
        assert!(
            script.contains(&format!("{place}/{file}\"")),
            "bundle.sh does not write {place}/{file} ({key})"
        );
    }
    for source in ["packaging/macos/Info.plist", "packaging/icons/earmark.icns"] {
        assert!(script.contains(source), "bundle.sh does not copy {source}");
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(source).is_file(),
            "{source}"
        );
    }
    let minimum = plist_string(&info, "LSMinimumSystemVersion");
    assert!(
        script.contains(&format!("MACOSX_DEPLOYMENT_TARGET={minimum}\n")),
        "the binary promises the plist's minimum macOS, {minimum}"
    );
    assert!(
        script.contains("codesign --force --deep -s -"),
        "signed ad hoc at least"
    );
    let dmg = read(&packaging("macos/dmg.sh"));
    assert!(
        dmg.contains("ln -s /Applications"),
        "the image has the Applications link"
    );
    assert!(
        dmg.contains("hdiutil create"),
        "dmg.sh makes the image with hdiutil"
    );
}

/// macOS's own reader of property lists accepts the plist.
#[cfg(target_os = "macos")]
#[test]
fn plutil_lints_the_info_plist() {
    let output = run(Command::new("plutil").arg("-lint").arg(plist_path()));
    assert!(
        output.status.success(),
        "plutil -lint: {}",
        text_of(&output)
    );
}

// The CI workflow.

fn workflow_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml")
}

#[test]
fn the_workflow_builds_on_three_systems_with_scripts_that_exist() {
    let workflow = read(&workflow_path());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    let runners: BTreeSet<&str> = workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("runs-on: "))
        .collect();
    for system in ["ubuntu-latest", "macos-latest", "windows-latest"] {
        assert!(runners.contains(system), "no job on {system}");
    }

    // Every path under packaging/ it names, with / or \.
    let mut named = BTreeSet::new();
    for (at, _) in workflow.match_indices("packaging") {
        let path: String = workflow[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "_-./\\".contains(*c))
            .collect();
        let path = path.replace('\\', "/");
        if path.contains('/') && path.rsplit('/').next().is_some_and(|f| f.contains('.')) {
            named.insert(path);
        }
    }
    for script in [
        "packaging/setup.sh",
        "packaging/linux/deb.sh",
        "packaging/macos/bundle.sh",
        "packaging/macos/dmg.sh",
        "packaging/windows/earmark.iss",
    ] {
        assert!(named.contains(script), "the workflow does not run {script}");
    }
    for path in &named {
        assert!(
            root.join(path).is_file(),
            "the workflow names {path}, which is missing"
        );
    }

    // Actions at a major version, never a moving branch.
    for line in workflow.lines().map(str::trim) {
        if let Some(action) = line
            .strip_prefix("uses: ")
            .or_else(|| line.strip_prefix("- uses: "))
        {
            let (_, version) = action.split_once('@').expect("owner/action@version");
            assert!(
                version.starts_with('v') || version == "stable",
                "{action} is not pinned to a release"
            );
        }
    }
    for package in [
        "earmark-linux-deb",
        "earmark-macos-dmg",
        "earmark-windows-setup",
    ] {
        assert!(
            workflow.contains(&format!("name: {package}\n")),
            "no artifact {package}"
        );
    }
    assert!(
        workflow.contains("pattern: earmark-*\n"),
        "the release takes the three packages"
    );
    assert_eq!(
        workflow.matches("if-no-files-found: error").count(),
        workflow.matches("uses: actions/upload-artifact@").count(),
        "every upload fails when it has nothing to upload"
    );

    // The portable tests exist, and each skipped name still skips a test
    // here (a renamed Linux-only test would otherwise run, and fail, on
    // macOS and Windows).
    let portable = workflow
        .split_once("PORTABLE_TESTS: >-")
        .map(|(_, rest)| rest)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("PORTABLE_TESTS");
    let words: Vec<&str> = portable.split_whitespace().collect();
    let mut skipped = Vec::new();
    for pair in words.windows(2) {
        match pair {
            ["--test", name] => assert!(
                root.join(format!("tests/{name}.rs")).is_file(),
                "PORTABLE_TESTS names tests/{name}.rs, which is missing"
            ),
            ["--skip", name] => skipped.push(*name),
            _ => {}
        }
    }
    // This file's tests, each with its body.
    let this = read(&root.join("tests/packaging.rs"));
    let tests: Vec<(&str, &str)> = this
        .split("#[test]\nfn ")
        .skip(1)
        .map(|test| {
            let name = &test[..test.find('(').expect("fn name(")];
            let body = &test[..test.find("\n}\n").expect("the test's end")];
            (name, body)
        })
        .collect();
    for name in &skipped {
        assert!(
            tests.iter().any(|(test, _)| test.contains(name)),
            "--skip {name} skips no test in tests/packaging.rs"
        );
    }
    for (test, body) in &tests {
        // The helpers that need Linux's tools (named so that this test's own
        // body does not call them).
        let linux_only = ["tool", "system_mime_file", "shared_mime_info_dtd"]
            .iter()
            .any(|helper| body.contains(&format!("{helper}(")));
        let skipped_elsewhere = skipped.iter().any(|name| test.contains(name));
        assert_eq!(
            linux_only, skipped_elsewhere,
            "{test}: it needs Linux's tools: {linux_only}; skipped on macOS and Windows: \
             {skipped_elsewhere}"
        );
    }
}

// The set-up.

#[test]
fn setup_installs_the_tools_these_tests_need() {
    let setup = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/setup.sh"));
    let list = setup
        .split_once("DEBIAN_PACKAGES=(")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(list, _)| list)
        .expect("setup.sh has DEBIAN_PACKAGES=(...)");
    let packages: BTreeSet<&str> = list.split_whitespace().collect();
    for package in [
        "desktop-file-utils",
        "appstream",
        "libxml2-utils",
        "shared-mime-info",
        "shellcheck",
    ] {
        assert!(
            packages.contains(package),
            "setup.sh's DEBIAN_PACKAGES lacks {package}"
        );
    }
}

// The Debian package (what `packaging/linux/deb.sh` builds; `.ci/run`
// installs and checks the built package itself).

/// `[package.metadata.deb]` of Cargo.toml, as cargo reads it.
fn deb_metadata() -> serde_json::Value {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = run(Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    assert!(
        output.status.success(),
        "cargo metadata: {}",
        text_of(&output)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["name"] == BINARY))
        .map(|package| package["metadata"]["deb"].clone())
        .expect("Cargo.toml has [package.metadata.deb]")
}

/// The package's assets as (source, destination) pairs.
fn deb_assets(deb: &serde_json::Value) -> Vec<(String, String)> {
    deb["assets"]
        .as_array()
        .expect("assets is a list")
        .iter()
        .map(|asset| {
            let field = |i: usize| asset[i].as_str().expect("a string").to_string();
            (field(0), field(1))
        })
        .collect()
}

#[test]
fn the_deb_installs_every_packaging_file_where_the_desktop_looks() {
    let deb = deb_metadata();
    let assets = deb_assets(&deb);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (source, _) in &assets {
        if !source.starts_with("target/") {
            assert!(root.join(source).is_file(), "the asset {source} is missing");
        }
    }
    let destination_of = |source: String| {
        assets
            .iter()
            .find(|(s, _)| *s == source)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("{source} is not in the package"))
    };
    assert_eq!(
        destination_of(format!("packaging/linux/{APP_ID}.desktop")),
        "usr/share/applications/"
    );
    assert_eq!(
        destination_of(format!("packaging/linux/{APP_ID}.metainfo.xml")),
        "usr/share/metainfo/"
    );
    assert_eq!(
        destination_of(format!("packaging/linux/{APP_ID}.mime.xml")),
        format!("usr/share/mime/packages/{APP_ID}.xml")
    );
    for size in HICOLOR_SIZES {
        let name = format!("icons/hicolor/{size}x{size}/apps/{APP_ID}.png");
        assert_eq!(
            destination_of(format!("packaging/{name}")),
            format!(
                "usr/share/{}",
                name.trim_end_matches(&format!("{APP_ID}.png"))
            )
        );
    }
    assert_eq!(
        destination_of("target/release/earmark".to_string()),
        "usr/bin/"
    );
    for dest in [
        "usr/share/man/man1/",
        "usr/share/bash-completion/completions/earmark",
        "usr/share/zsh/vendor-completions/",
        "usr/share/fish/vendor_completions.d/",
    ] {
        assert!(
            assets.iter().any(|(_, d)| d == dest),
            "nothing is installed to {dest}"
        );
    }
}

#[test]
fn the_deb_depends_on_the_libraries_the_window_loads_at_run_time() {
    let deb = deb_metadata();
    let depends: BTreeSet<&str> = deb["depends"]
        .as_str()
        .expect("depends is a string")
        .split(',')
        .map(str::trim)
        .collect();
    assert!(depends.contains("$auto"), "{depends:?}");
    // The window's run-time libraries setup.sh installs for the tests (found
    // with LD_DEBUG) must be what the package declares too.
    let setup = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/setup.sh"));
    for library in [
        "libx11-6",
        "libx11-xcb1",
        "libxcursor1",
        "libxi6",
        "libxkbcommon-x11-0",
        "libgl1",
    ] {
        assert!(
            setup.contains(library),
            "setup.sh no longer names {library}"
        );
        assert!(
            depends.contains(library),
            "the package does not depend on {library}"
        );
    }
    for wayland in [
        "libwayland-client0",
        "libwayland-egl1",
        "libegl1",
        "libxkbcommon0",
    ] {
        assert!(
            depends.contains(wayland),
            "the package does not depend on {wayland}"
        );
    }
    let recommends = deb["recommends"].as_str().expect("recommends");
    for optional in ["libasound2-plugins", "zenity"] {
        assert!(
            recommends.contains(optional),
            "{optional} is not recommended"
        );
    }
}
