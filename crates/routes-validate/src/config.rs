//! `routes.toml`: a dataset's rule settings — severities, and silences of one
//! rule for one value of one record, each with a written reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use routes_diagnostics::{Diagnostic, Severity};
use serde::Deserialize;

use crate::rule::{Rule, W, rule};
/// The `config` rules.
pub(crate) static RULES: &[Rule] = &[rule!(
    "config/unused-allow",
    W,
    "An `[[allow]]` entry of `routes.toml` silences nothing",
    "A silence that no longer matches hides nothing and misleads readers of the config; remove it so that the next real finding is seen.",
    "[[allow]]\nroute = \"kz/gone\"\nrule = \"quality/stale-source\"\npointer = \"/sources/0/seen\"\nreason = \"...\""
)];

/// Largest `routes.toml` read, in bytes.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The config format version this build reads.
pub const CONFIG_VERSION: u32 = 1;

/// The setting of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Report as an error.
    Error,
    /// Report as a warning.
    Warning,
    /// Do not report.
    Off,
}

/// One silenced finding.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allow {
    /// The route id.
    pub route: String,
    /// The rule code.
    pub rule: String,
    /// The JSON pointer of the value.
    pub pointer: String,
    /// Why the finding is silenced; must not be empty.
    pub reason: String,
}

/// A dataset's `routes.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Format version, [`CONFIG_VERSION`].
    #[serde(default = "default_version")]
    pub config_version: u32,
    /// Folder of reference data, relative to the config file.
    #[serde(default)]
    pub reference: Option<PathBuf>,
    /// Severity per rule code.
    #[serde(default)]
    pub severity: BTreeMap<String, Level>,
    /// Silenced findings.
    #[serde(default)]
    pub allow: Vec<Allow>,
    /// The file this was read from.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

fn default_version() -> u32 {
    CONFIG_VERSION
}

/// Why `routes.toml` cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("`{}`{location}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// `:line:column`, when known.
        location: String,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Reads and checks a config file; `known` says whether a rule code
    /// exists (`routes_validate::rule(code).is_some()`).
    pub fn load(path: &Path, known: &dyn Fn(&str) -> bool) -> Result<Self, ConfigError> {
        // Only a regular file, of at most 1 MiB (a FIFO given with `--config`
        // would block; `/dev/zero` would never end).
        let shown = crate::input::display(path);
        let text = routes_fs::read_regular(path, &shown, MAX_CONFIG_BYTES)
            .map_err(|refusal| ConfigError::Read {
                path: path.to_owned(),
                source: std::io::Error::other(refusal.to_string()),
            })
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| ConfigError::Invalid {
                    path: path.to_owned(),
                    location: String::new(),
                    message: "the file is not UTF-8".to_owned(),
                })
            })?;
        let invalid = |location: String, message: String| ConfigError::Invalid {
            path: path.to_owned(),
            location,
            message,
        };
        let mut config: Self = toml::from_str(&text).map_err(|e| {
            let location = e.span().map_or_else(String::new, |span| {
                let index = routes_diagnostics::LineIndex::new(&text);
                let (line, column) = index.line_col(&text, span.start);
                format!(":{line}:{column}")
            });
            invalid(location, e.message().to_owned())
        })?;
        if config.config_version != CONFIG_VERSION {
            return Err(invalid(
                String::new(),
                format!(
                    "unsupported config_version {}: this build reads {CONFIG_VERSION}",
                    config.config_version
                ),
            ));
        }
        for code in config.severity.keys().chain(config.allow.iter().map(|a| &a.rule)) {
            if !known(code) {
                return Err(invalid(
                    location_of(&text, code),
                    format!("unknown rule `{code}`; `routes validate --list-rules` lists them"),
                ));
            }
            if crate::rule::is_fixed(code) {
                return Err(invalid(
                    location_of(&text, code),
                    format!(
                        "`{code}` cannot be changed or silenced: it means a record could not be read or typed, and such a record would be left out of a release"
                    ),
                ));
            }
        }
        if let Some(reference) = &config.reference
            && !reference_stays_inside(reference)
        {
            return Err(invalid(
                location_of(&text, "reference"),
                format!(
                    "`reference = \"{}\"` leaves the dataset folder: it must be a folder inside it, relative to `routes.toml`",
                    reference.display()
                ),
            ));
        }
        if let Some(a) = config.allow.iter().find(|a| a.reason.trim().is_empty()) {
            return Err(invalid(
                String::new(),
                format!(
                    "the silence of `{}` at `{}` of `{}` gives no reason",
                    a.rule, a.pointer, a.route
                ),
            ));
        }
        config.path = Some(path.to_owned());
        Ok(config)
    }

    /// The folder holding the config: the dataset root.
    #[must_use]
    pub fn root(&self) -> Option<&Path> {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p })
    }

    /// The reference-data folder: `reference` (default `reference/`) under
    /// the dataset root. Its path was checked when the config was loaded; a
    /// folder that a symbolic link takes out of the dataset is refused here.
    pub fn reference_dir(&self) -> Result<Option<PathBuf>, ConfigError> {
        let Some(root) = self.root() else { return Ok(None) };
        let reference = self.reference.clone().unwrap_or_else(|| PathBuf::from("reference"));
        let dir = root.join(&reference);
        if dir.exists() && !routes_fs::is_inside(root, &dir) {
            return Err(ConfigError::Invalid {
                path: self.path.clone().unwrap_or_default(),
                location: String::new(),
                message: format!(
                    "the reference folder `{}` is a symbolic link out of the dataset folder; it was not read",
                    reference.display()
                ),
            });
        }
        Ok(Some(dir))
    }

    /// Applies severities and silences one finding at a time; the applier
    /// then reports the silences that matched nothing.
    pub(crate) fn applier(&self) -> Applier<'_> {
        Applier {
            config: self,
            used: vec![false; self.allow.len()],
        }
    }
}

/// Whether a `reference` path stays inside the folder it is relative to.
fn reference_stays_inside(reference: &Path) -> bool {
    use std::path::Component;
    !reference.as_os_str().is_empty()
        && reference
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// `:line:column` of the first mention of `needle` (a rule code, a key) in
/// the config's text, or nothing when it is not found.
fn location_of(text: &str, needle: &str) -> String {
    text.find(needle).map_or_else(String::new, |at| {
        let index = routes_diagnostics::LineIndex::new(text);
        let (line, column) = index.line_col(text, at);
        format!(":{line}:{column}")
    })
}

/// `routes.toml` applied to findings one at a time.
pub(crate) struct Applier<'c> {
    config: &'c Config,
    used: Vec<bool>,
}

impl Applier<'_> {
    /// The finding with its configured severity, or `None` when it is turned
    /// off or silenced. Codes no setting may change pass as they are.
    pub(crate) fn apply(&mut self, mut d: Diagnostic) -> Option<Diagnostic> {
        if crate::rule::is_fixed(d.code()) {
            return Some(d);
        }
        let config = self.config;
        let key = if d.code().starts_with("schema/") && d.code() != "schema/model-mismatch" {
            "schema/<keyword>"
        } else {
            d.code()
        };
        match config.severity.get(d.code()).or_else(|| config.severity.get(key)) {
            Some(Level::Off) => return None,
            Some(Level::Error) => d.set_severity(Severity::Error),
            Some(Level::Warning) => d.set_severity(Severity::Warning),
            None => {}
        }
        let silenced = config.allow.iter().position(|a| {
            a.rule == d.code() && Some(a.route.as_str()) == d.route() && Some(a.pointer.as_str()) == d.pointer()
        });
        if let Some(i) = silenced {
            self.used[i] = true;
            return None;
        }
        Some(d)
    }

    /// A `config/unused-allow` finding for each silence that matched
    /// nothing, of the routes `checked` says were: `Some(true)` when every
    /// rule ran on the route, `Some(false)` when the whole dataset was read
    /// and no record has the route, `None` when the run cannot tell (the
    /// route was not read, or its record is broken).
    pub(crate) fn finish(self, checked: &dyn Fn(&str) -> Option<bool>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let shown = self
            .config
            .path
            .as_deref()
            .map(crate::input::display)
            .unwrap_or_default();
        for (a, used) in self.config.allow.iter().zip(self.used) {
            if used {
                continue;
            }
            let message = match checked(&a.route) {
                None => continue,
                Some(true) => format!(
                    "the silence of `{}` at `{}` of `{}` matches no finding",
                    a.rule, a.pointer, a.route
                ),
                Some(false) => format!(
                    "the silence of `{}` at `{}` names the route `{}`, which no record has",
                    a.rule, a.pointer, a.route
                ),
            };
            out.push(
                Diagnostic::new("config/unused-allow", Severity::Warning, &shown)
                    .with_route(&a.route)
                    .with_message(message)
                    .with_hint("remove the entry, or correct its route, rule or pointer"),
            );
        }
        out
    }
}

/// The `routes.toml` that governs `path`: in it (a folder) or in the nearest
/// folder above it.
#[must_use]
pub fn find_config(path: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(path).ok()?;
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join("routes.toml");
        if candidate.is_file() {
            // Shown to users: relative to the current folder when inside it.
            let cwd = std::env::current_dir().ok();
            let shown = cwd.and_then(|cwd| candidate.strip_prefix(cwd).ok().map(Path::to_path_buf));
            return Some(shown.unwrap_or(candidate));
        }
        dir = d.parent();
    }
    None
}
