//! judgebox: runs untrusted student code in WebAssembly sandboxes, judges it
//! against test cases, and records the results.
//!
//! The modules are the architecture; each imports only those to its right:
//! `api` (HTTP only) and `cli` → `service` (the use cases: judge now,
//! enqueue, work the queue, record, import, views) → `package` (problem
//! packages read into questions) → `judge` (test cases, comparison,
//! checkers, verdicts) → `languages` (one file per language) → `sandbox`
//! (Wasmtime and native isolation). `store` keeps questions, submissions
//! and executions in the database for `service` (and simple reads for
//! `api`); `auth` says who may do what; `telemetry` sets up logs and names
//! the metrics any module may count; `startup` and `configuration` wire it
//! all together.

pub mod api;
pub mod attachment;
pub mod auth;
pub mod cli;
pub mod configuration;
pub mod contest;
pub mod judge;
pub mod languages;
pub mod package;
pub mod pages;
pub mod sandbox;
pub mod service;
pub mod similarity;
pub mod startup;
pub mod store;
pub mod telemetry;
