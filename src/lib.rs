//! judgebox: runs untrusted student code in WebAssembly sandboxes, judges it
//! against test cases, and records the results.
//!
//! The modules are the architecture: `api` (HTTP only) → `judge` (test cases,
//! comparison, verdicts) → `languages` (one file per language) → `sandbox`
//! (Wasmtime isolation); `queue` shares judging between requests and the
//! database's work queue; `store` keeps questions, submissions and
//! executions in the database.

pub mod api;
pub mod cli;
pub mod configuration;
pub mod judge;
pub mod languages;
pub mod queue;
pub mod sandbox;
pub mod startup;
pub mod store;
