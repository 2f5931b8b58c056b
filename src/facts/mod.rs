//! Facts about a repository, each collected once and shared by every rule.

pub mod content;
pub mod tree;
