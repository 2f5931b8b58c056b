//! Facts about a repository, each collected once and shared by every rule.

pub mod collect;
pub mod components;
pub mod content;
pub mod dependabot;
pub mod dockerfile;
pub mod follow;
pub mod includes;
mod jsonc;
pub mod kubernetes;
pub mod manifest;
pub mod owners;
pub mod parsed;
pub mod pipeline;
mod poe;
pub mod renovate;
pub mod tasks;
mod toml_node;
pub mod tree;
pub(crate) mod workspaces;
pub mod yaml;

/// A fact and the line it was found on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub text: String,
    pub line: u32,
}

impl Located {
    pub fn new(text: impl Into<String>, line: u32) -> Located {
        Located {
            text: text.into(),
            line,
        }
    }
}
