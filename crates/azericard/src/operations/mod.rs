//! One file per operation family: request type, pure builder, pure parser.

pub mod authorization;
pub mod completion;
pub mod status;
pub mod stored_charge;
pub mod transfer;
