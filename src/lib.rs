//! opslint: a git-native DevOps practices linter. The binary is a thin shell over this library.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

/// The stack of every thread opslint starts (rayon's and a sweep's workers): parsers of
/// untrusted YAML, JSON and TOML recurse up to their depth budgets, which a debug build's
/// frames can take past the 2 MiB that threads get by default.
pub const THREAD_STACK_BYTES: usize = 8 * 1024 * 1024;

/// `PartialEq`, `Eq` and `Debug` by the `name` field, for the entries of a registry (output
/// formats, CI systems) whose other fields are functions or unit values: two entries are the
/// same when they have the same name, and print as it.
macro_rules! told_apart_by_name {
    ($type:ty) => {
        impl PartialEq for $type {
            fn eq(&self, other: &$type) -> bool {
                self.name == other.name
            }
        }

        impl Eq for $type {}

        impl std::fmt::Debug for $type {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(self.name)
            }
        }
    };
}

pub mod area;
pub mod checks;
pub mod cli;
pub mod compare;
pub mod components;
pub mod config;
pub mod engine;
pub mod facts;
pub mod finding;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod hook;
pub mod instance;
pub mod matcher;
pub mod maturity;
pub mod plan;
pub mod quotes;
pub mod render;
pub mod repo;
pub mod report;
pub mod rules;
pub mod scan;
pub mod severity;
pub mod sweep;
pub mod text;
pub mod timeline;
