//! Finding plugins: the plugin directory, names and paths, listing.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use rin_plugin_abi::ABI_VERSION;

use crate::error::{Error, Result};
use crate::{PluginKind, Segmenter, Tagger, Tokenizer};

/// Environment variable naming the plugin directory.
pub const PLUGIN_DIR_ENV: &str = "RIN_PLUGIN_DIR";

/// File-name prefix of plugin libraries after the platform's `lib`: `librin_plugin_<name>.so`.
pub const FILE_PREFIX: &str = "rin_plugin_";

/// How the user named a plugin: by name (looked up in the plugin directory) or by path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PluginRef<'a> {
    /// A name such as `perceptron`: `<plugin dir>/librin_plugin_perceptron.so`.
    Name(&'a str),
    /// An explicit path to a library (it contains a path separator or ends in `.so`/`.dylib`/`.dll`).
    Path(&'a Path),
}

impl<'a> PluginRef<'a> {
    /// Reads a command-line value. A bare name never refers to the working directory: write
    /// `./libfoo.so` for that.
    pub fn parse(spec: &'a str) -> Self {
        if spec.contains('/')
            || spec.contains(std::path::MAIN_SEPARATOR)
            || spec.ends_with(std::env::consts::DLL_SUFFIX)
        {
            PluginRef::Path(Path::new(spec))
        } else {
            PluginRef::Name(spec)
        }
    }
}

/// The file name of the plugin library called `name` on this platform.
pub fn library_file_name(name: &str) -> String {
    format!(
        "{}{FILE_PREFIX}{}{}",
        std::env::consts::DLL_PREFIX,
        name.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    )
}

/// The plugin name in a library file name, if it follows the naming convention.
pub fn plugin_name_of_file(file: &str) -> Option<&str> {
    let name = file
        .strip_prefix(std::env::consts::DLL_PREFIX)?
        .strip_prefix(FILE_PREFIX)?
        .strip_suffix(std::env::consts::DLL_SUFFIX)?;
    (!name.is_empty()).then_some(name)
}

/// A directory of plugin libraries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginDir {
    path: PathBuf,
}

impl PluginDir {
    /// The plugin directory at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        PluginDir { path: path.into() }
    }

    /// The plugin directory to use: `explicit` (`--plugin-dir`), else `$RIN_PLUGIN_DIR`, else
    /// next to the executable (its `plugins/` subdirectory if there is one, else its own
    /// directory, where `cargo build` puts the plugins; for binaries in a cargo `deps/` directory,
    /// such as tests, the directory above). Never the working directory.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self> {
        resolve_from(
            explicit,
            std::env::var_os(PLUGIN_DIR_ENV),
            std::env::current_exe,
        )
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The library of the plugin called `name`.
    pub fn find(&self, name: &str) -> Result<PathBuf> {
        let file = library_file_name(name);
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let path = self.path.join(&file);
        if valid && path.is_file() {
            return Ok(path);
        }
        let mut available = self.names().unwrap_or_default();
        available.sort();
        Err(Error::NotFound {
            name: name.to_owned(),
            dir: self.path.clone(),
            file,
            available: if available.is_empty() {
                "none".to_owned()
            } else {
                available.join(", ")
            },
        })
    }

    /// Names of the plugin libraries in the directory, from their file names (nothing is loaded).
    pub fn names(&self) -> Result<Vec<String>> {
        Ok(self.files()?.into_iter().map(|(name, _)| name).collect())
    }

    fn files(&self) -> Result<Vec<(String, PathBuf)>> {
        let entries = std::fs::read_dir(&self.path).map_err(|source| Error::ReadDir {
            dir: self.path.clone(),
            source,
        })?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| Error::ReadDir {
                dir: self.path.clone(),
                source,
            })?;
            let file = entry.file_name();
            if let Some(name) = file.to_str().and_then(plugin_name_of_file) {
                if entry.path().is_file() {
                    files.push((name.to_owned(), entry.path()));
                }
            }
        }
        files.sort();
        Ok(files)
    }

    /// The library `spec` refers to: a name in this directory or an explicit path.
    pub(crate) fn locate(&self, spec: &str) -> Result<PathBuf> {
        match PluginRef::parse(spec) {
            PluginRef::Name(name) => self.find(name),
            PluginRef::Path(path) => Ok(path.to_owned()),
        }
    }

    /// Describes every plugin library of the directory, loading each with the given loaders.
    pub(crate) fn list_with(
        &self,
        load_tokenizer: impl Fn(&Path) -> Result<Tokenizer>,
        load_tagger: impl Fn(&Path) -> Result<Tagger>,
        load_segmenter: impl Fn(&Path) -> Result<Segmenter>,
    ) -> Result<Vec<Result<PluginListing>>> {
        let mut out = Vec::new();
        for (_, path) in self.files()? {
            let tokenizer = load_tokenizer(&path);
            if let Err(e @ Error::Open { .. }) = tokenizer {
                // Not a library at all: one entry, not one per kind.
                out.push(Err(e));
                continue;
            }
            let (tagger, segmenter) = (load_tagger(&path), load_segmenter(&path));
            if is_missing(&tokenizer) && is_missing(&tagger) && is_missing(&segmenter) {
                // No plugin of any kind: one entry, the tokenizer's error.
                if let Err(e) = tokenizer {
                    out.push(Err(e));
                }
                continue;
            }
            let listing = |kind, metadata: &crate::PluginMetadata, tagset| PluginListing {
                path: path.clone(),
                kind,
                name: metadata.name.clone(),
                version: metadata.version.clone(),
                description: metadata.description.clone(),
                abi_version: ABI_VERSION,
                tagset,
            };
            if !is_missing(&tokenizer) {
                out.push(tokenizer.map(|t| listing(PluginKind::Tokenizer, t.metadata(), None)));
            }
            if !is_missing(&tagger) {
                out.push(tagger.map(|g| {
                    let tagset = format!("{} ({} tags)", g.info().tagset, g.info().tags.len());
                    listing(PluginKind::Tagger, g.metadata(), Some(tagset))
                }));
            }
            if !is_missing(&segmenter) {
                out.push(segmenter.map(|s| listing(PluginKind::Segmenter, s.metadata(), None)));
            }
        }
        Ok(out)
    }
}

fn is_missing<T>(r: &Result<T>) -> bool {
    matches!(r, Err(Error::MissingSymbol { .. }))
}

fn resolve_from(
    explicit: Option<&Path>,
    env: Option<OsString>,
    exe: impl FnOnce() -> std::io::Result<PathBuf>,
) -> Result<PluginDir> {
    if let Some(dir) = explicit {
        return Ok(PluginDir::new(dir));
    }
    if let Some(dir) = env.filter(|d| !d.is_empty()) {
        return Ok(PluginDir::new(dir));
    }
    let exe = exe().map_err(|source| Error::NoExecutable { source })?;
    let mut dir = exe.parent().map(Path::to_owned).unwrap_or_default();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    let sub = dir.join("plugins");
    Ok(PluginDir::new(if sub.is_dir() { sub } else { dir }))
}

/// One plugin found in a directory, as `rin plugins list` prints it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PluginListing {
    /// The library.
    pub path: PathBuf,
    /// Tokenizer or tagger (a library exporting both is listed twice).
    pub kind: PluginKind,
    /// The name the plugin reports.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its description.
    pub description: String,
    /// The ABI version it speaks.
    pub abi_version: u32,
    /// For a tagger, its tagset: name and number of tags.
    pub tagset: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_exe() -> std::io::Result<PathBuf> {
        Err(std::io::Error::other("no exe"))
    }

    #[test]
    fn explicit_dir_beats_env_beats_exe() {
        let explicit = resolve_from(Some(Path::new("/a")), Some("/b".into()), no_exe).unwrap();
        assert_eq!(explicit.path(), Path::new("/a"));
        let env = resolve_from(None, Some("/b".into()), no_exe).unwrap();
        assert_eq!(env.path(), Path::new("/b"));
        let exe = resolve_from(None, Some("".into()), || {
            Ok(PathBuf::from("/x/release/rin"))
        })
        .unwrap();
        assert_eq!(exe.path(), Path::new("/x/release"));
        let test = resolve_from(None, None, || Ok(PathBuf::from("/x/debug/deps/it-123"))).unwrap();
        assert_eq!(test.path(), Path::new("/x/debug"));
        assert!(matches!(
            resolve_from(None, None, no_exe),
            Err(Error::NoExecutable { .. })
        ));
    }

    #[test]
    fn exe_dir_prefers_its_plugins_subdirectory() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("plugins")).unwrap();
        let exe = tmp.path().join("rin");
        let dir = resolve_from(None, None, || Ok(exe)).unwrap();
        assert_eq!(dir.path(), tmp.path().join("plugins"));
    }

    #[test]
    fn names_and_paths_are_told_apart() {
        assert_eq!(
            PluginRef::parse("perceptron"),
            PluginRef::Name("perceptron")
        );
        assert_eq!(
            PluginRef::parse("./x.so"),
            PluginRef::Path(Path::new("./x.so"))
        );
        let file = library_file_name("my-tagger");
        assert!(matches!(PluginRef::parse(&file), PluginRef::Path(_)));
        assert_eq!(plugin_name_of_file(&file), Some("my_tagger"));
        assert_eq!(plugin_name_of_file("libfoo.so"), None);
    }

    #[test]
    fn a_bare_name_is_looked_up_only_in_the_plugin_dir() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join(library_file_name("ghost")), b"").unwrap();
        std::fs::write(dir.path().join(library_file_name("real")), b"").unwrap();
        let plugins = PluginDir::new(dir.path());
        let err = plugins.find("ghost").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("no plugin named `ghost`") && msg.contains("available: real"),
            "{msg}"
        );
        assert!(plugins.find("../x").is_err());
        assert_eq!(
            plugins.find("real").unwrap(),
            dir.path().join(library_file_name("real"))
        );
    }
}
