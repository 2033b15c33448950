//! End-to-end tests: the real server binary over HTTP, one server per test.

mod access;
mod browser;
mod calibration;
mod checkers;
mod compiled;
mod contests;
mod execute;
mod helpers;
mod interactive;
mod isolation;
mod java;
mod javascript;
mod limits;
mod node_compat;
mod openapi;
mod operations;
mod packages;
mod pages;
mod peers;
mod questions;
mod rate_limits;
mod rejudges;
mod similarity;
mod storage;
mod submissions;
mod validation;
