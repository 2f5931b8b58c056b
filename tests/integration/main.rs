//! Integration tests, built into one binary.

mod cli;
mod components;
mod config;
mod history;
mod pipelines;
mod repositories;
mod rules;
mod support;
