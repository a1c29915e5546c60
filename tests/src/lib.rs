//! Shared helpers of the cross-crate tests: a raw TCP server that misbehaves
//! on purpose (the fault matrix), a log capture for the no-secret tests, and
//! a merchant's callback receiver for the end-to-end flows.

pub mod checkout;
pub mod fault;
pub mod logs;
pub mod receiver;

/// `docs/sandbox.md`'s Rust blocks, compiled as doctests so the guide cannot
/// drift from the sandbox's API (`cargo test -p payments-tests --doc`).
#[cfg(doctest)]
#[doc = include_str!("../../docs/sandbox.md")]
pub struct SandboxGuide;

/// `crates/payments-sandbox/README.md`'s example, compiled here (the
/// sandbox crate's sources are its owners'), so that it cannot drift either.
#[cfg(doctest)]
#[doc = include_str!("../../crates/payments-sandbox/README.md")]
pub struct SandboxReadme;
