//! Configuration: the settings a scan is judged by (`.opslint.toml` layered over the
//! organisation's config and the command line), what a repository's own file changed of
//! them, baselines of accepted failures, and the diagnostics that point at a mistake in any
//! of these files.

pub mod baseline;
pub mod diagnostic;
pub mod enabled;
pub mod overridden;
pub mod overrides;
pub mod settings;
pub mod template;
pub(crate) mod tomldoc;
pub mod weakening;
