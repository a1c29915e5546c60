//! Shared helpers of the cross-crate tests: a raw TCP server that misbehaves
//! on purpose (the fault matrix), a log capture for the no-secret tests, and
//! a merchant's callback receiver for the end-to-end flows.

pub mod checkout;
pub mod fault;
pub mod logs;
pub mod receiver;
