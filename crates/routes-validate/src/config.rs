//! `routes.toml`: a dataset's rule settings — severities, and silences of one
//! rule for one value of one record, each with a written reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use routes_diagnostics::{Diagnostic, Severity};
use serde::Deserialize;

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
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = fs_err::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_owned(),
            source: std::io::Error::new(e.kind(), e),
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
            if crate::registry::rule(code).is_none() {
                return Err(invalid(
                    String::new(),
                    format!("unknown rule `{code}`; `routes validate --list-rules` lists them"),
                ));
            }
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
        self.path.as_deref().and_then(Path::parent)
    }

    /// The reference-data folder.
    #[must_use]
    pub fn reference_dir(&self) -> Option<PathBuf> {
        let root = self.root()?;
        Some(root.join(self.reference.clone().unwrap_or_else(|| PathBuf::from("reference"))))
    }

    /// Applies severities and silences; reports silences that matched nothing.
    pub(crate) fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut used = vec![false; self.allow.len()];
        let mut out = Vec::with_capacity(diagnostics.len());
        for mut d in diagnostics {
            let key = if d.code().starts_with("schema/") && d.code() != "schema/model-mismatch" {
                "schema/<keyword>"
            } else {
                d.code()
            };
            match self.severity.get(d.code()).or_else(|| self.severity.get(key)) {
                Some(Level::Off) => continue,
                Some(Level::Error) => d.set_severity(Severity::Error),
                Some(Level::Warning) => d.set_severity(Severity::Warning),
                None => {}
            }
            let silenced = self.allow.iter().position(|a| {
                a.rule == d.code() && Some(a.route.as_str()) == d.route() && Some(a.pointer.as_str()) == d.pointer()
            });
            if let Some(i) = silenced {
                used[i] = true;
                continue;
            }
            out.push(d);
        }
        let shown = self.path.as_deref().map(crate::input::display).unwrap_or_default();
        for (a, used) in self.allow.iter().zip(used) {
            if !used {
                out.push(
                    Diagnostic::new(
                        "config/unused-allow",
                        crate::registry::default_severity("config/unused-allow"),
                        &shown,
                    )
                    .with_message(format!(
                        "the silence of `{}` at `{}` of `{}` matches no finding",
                        a.rule, a.pointer, a.route
                    ))
                    .with_hint("remove the entry, or correct its route, rule or pointer"),
                );
            }
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
