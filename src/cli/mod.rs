//! Commands that judge without the HTTP server.

pub mod bench;
pub mod calibrate;
pub mod import;
pub mod run;
