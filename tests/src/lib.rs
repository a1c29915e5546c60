//! Shared helpers of the cross-crate tests: a raw TCP server that misbehaves
//! on purpose (the fault matrix), a log capture for the no-secret tests, and
//! a merchant's callback receiver for the end-to-end flows.

pub mod checkout;
pub mod epoint_setup;
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

/// The provider guides and the Redis guide: their Rust blocks are compiled
/// as doctests, so no guide shows a fragment that does not build.
#[cfg(doctest)]
pub mod guides {
    /// `docs/providers/epoint.md`.
    #[doc = include_str!("../../docs/providers/epoint.md")]
    pub struct Epoint;
    /// `docs/providers/azericard.md`.
    #[doc = include_str!("../../docs/providers/azericard.md")]
    pub struct Azericard;
    /// `docs/providers/epay-kz.md`.
    #[doc = include_str!("../../docs/providers/epay-kz.md")]
    pub struct EpayKz;
    /// `docs/providers/qr-wallet.md`.
    #[doc = include_str!("../../docs/providers/qr-wallet.md")]
    pub struct QrWallet;
    /// `docs/redis.md`.
    #[doc = include_str!("../../docs/redis.md")]
    pub struct Redis;
}
