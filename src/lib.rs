//! opslint: a git-native DevOps practices linter. The binary is a thin shell over this library.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod area;
pub mod baseline;
pub mod cli;
pub mod compare;
pub mod components;
pub mod diagnostic;
pub mod engine;
pub mod facts;
pub mod finding;
pub mod history;
pub mod hook;
pub mod matcher;
pub mod repo;
pub mod report;
pub mod rules;
pub mod scan;
pub mod settings;
pub mod sweep;
pub mod template;
pub mod text;
mod tomldoc;
