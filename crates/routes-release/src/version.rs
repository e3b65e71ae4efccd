//! Release versions: SemVer, validated when built.

use std::fmt;
use std::str::FromStr;

/// The folder-name prefix of a release: `routes-X.Y.Z`.
const PREFIX: &str = "routes-";

/// Why a string is not a release version.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VersionError {
    /// Not SemVer.
    #[error("`{text}` is not a SemVer version")]
    Syntax {
        /// The rejected string.
        text: String,
        /// The cause.
        #[source]
        source: semver::Error,
    },
    /// SemVer with build metadata, which does not order versions.
    #[error("`{text}` carries build metadata (`+{build}`), which SemVer ignores when ordering versions")]
    BuildMetadata {
        /// The rejected string.
        text: String,
        /// The metadata.
        build: String,
    },
}

/// A release version: SemVer `MAJOR.MINOR.PATCH`, optionally with a
/// pre-release (`1.0.0-rc.1`), never with build metadata (two versions that
/// differ only there would be the same release).
///
/// ```
/// use routes_release::ReleaseVersion;
/// let v: ReleaseVersion = "1.2.3".parse()?;
/// assert_eq!(v.dir_name(), "routes-1.2.3");
/// assert!("1.2".parse::<ReleaseVersion>().is_err());
/// assert!("v1.2.3".parse::<ReleaseVersion>().is_err());
/// assert!("1.2.3+build.5".parse::<ReleaseVersion>().is_err());
/// assert!("1.10.0".parse::<ReleaseVersion>()? > "1.9.0".parse::<ReleaseVersion>()?);
/// # Ok::<(), routes_release::VersionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReleaseVersion(semver::Version);

impl ReleaseVersion {
    /// The release folder's name, `routes-X.Y.Z`.
    #[must_use]
    pub fn dir_name(&self) -> String {
        format!("{PREFIX}{}", self.0)
    }

    /// The version of a release folder named `routes-X.Y.Z`, if the name is one.
    #[must_use]
    pub fn from_dir_name(name: &str) -> Option<Self> {
        name.strip_prefix(PREFIX).and_then(|v| v.parse().ok())
    }

    /// The SemVer version.
    #[must_use]
    pub fn semver(&self) -> &semver::Version {
        &self.0
    }
}

impl FromStr for ReleaseVersion {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let version = semver::Version::parse(text).map_err(|source| VersionError::Syntax {
            text: text.to_owned(),
            source,
        })?;
        if !version.build.is_empty() {
            return Err(VersionError::BuildMetadata {
                text: text.to_owned(),
                build: version.build.to_string(),
            });
        }
        Ok(Self(version))
    }
}

impl fmt::Display for ReleaseVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
