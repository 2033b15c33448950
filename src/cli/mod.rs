//! Commands that judge without the HTTP server.

pub mod bench;
pub mod import;
pub mod run;
