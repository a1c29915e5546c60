//! Shared helpers of the cross-crate tests: a raw TCP server that misbehaves
//! on purpose (the fault matrix) and a log capture for the no-secret tests.

pub mod fault;
pub mod logs;
