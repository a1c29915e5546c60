//! One module per operation family: request types, pure builders
//! (`build_*`, returning a ready [`payments_core::HttpRequest`]) and pure
//! parsers (`parse_*`, from a [`payments_core::HttpResponse`]).

pub mod cards;
pub mod cryptopay;
pub mod installment;
pub mod invoice;
pub mod legacy;
pub mod qr;
pub mod saved_card;
pub mod status;
pub mod token;
pub mod transaction;
pub mod transfer;
pub mod widget;
