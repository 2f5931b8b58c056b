//! Integration tests, built into one binary.

mod cli;
mod config;
mod repositories;
mod rules;
mod support;
