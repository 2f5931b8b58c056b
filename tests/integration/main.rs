//! Integration tests, built into one binary.

mod action;
mod baseline;
mod bounded;
mod cli;
mod components;
mod config;
mod evidence_cap;
mod fuzz_regressions;
mod gitlab;
mod history;
mod pipelines;
mod plan;
mod pull_request;
mod repositories;
mod robustness;
mod rules;
mod staged;
mod support;
mod sweep;
mod timeline;
mod untrusted;
