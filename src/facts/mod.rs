//! Facts about a repository, each collected once and shared by every rule.

pub mod content;
pub mod includes;
pub mod pipeline;
pub mod tasks;
pub mod tree;
pub mod yaml;
