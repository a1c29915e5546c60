//! What the QR wallet emulator keeps.

use rust_decimal::Decimal;
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub(super) struct Wallet {
    pub(super) id: String,
    pub(super) number: String,
    pub(super) name: String,
    pub(super) account_number: String,
    pub(super) balance: Decimal,
    /// A business (corporate) account: may receive Payment and CreateQRPayment.
    pub(super) business: bool,
    /// Provider ids enabled by AddProviderMediaToWallet (the seed's and
    /// Metropol are enabled on every wallet the sandbox creates).
    pub(super) providers: Vec<String>,
}

/// What a QR code pays.
#[derive(Debug, Clone)]
pub(super) enum QrKind {
    /// A partner POS's QR (Create3rdPartyQrCode), paid by Begin/Complete.
    Partner { merchant_no: String, terminal_no: String },
    /// The platform's own provider QR (CreateQrCode), paid by BeginQrCodePayment
    /// then Complete3rdPartyQRCodePayment [U].
    Provider { merchant_no: String, terminal_no: String },
    /// A wallet's QR (CreateQRPayment), paid by ApproveQRPayment.
    Wallet {
        ext_order_id: String,
        receiver_wallet: String,
        description: String,
    },
}

#[derive(Debug, Clone)]
pub(super) struct QrCode {
    pub(super) code: String,
    pub(super) short_code: String,
    pub(super) kind: QrKind,
    pub(super) amount: Decimal,
    pub(super) expires: OffsetDateTime,
    /// The payment's transaction_id once paid.
    pub(super) paid_by: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct QrSession {
    pub(super) correlation_id: String,
    pub(super) wallet: String,
    pub(super) provider_id: String,
    pub(super) qr_code: String,
    pub(super) amount: Decimal,
    pub(super) sale_ref_code: String,
    pub(super) terminal_txn: u32,
    pub(super) expires: OffsetDateTime,
    pub(super) completed: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Payment {
    pub(super) transaction_id: String,
    pub(super) correlation_id: String,
    /// The merchant's id for it (Payment's ext_transaction_id, CreateQRPayment's ext_order_id).
    pub(super) ext_id: String,
    pub(super) sender_wallet: String,
    pub(super) receiver_wallet: String,
    pub(super) amount: Decimal,
    pub(super) refunded: Decimal,
}

/// A reconciliation record (SummaryRecordByFilter's `results[]`).
#[derive(Debug, Clone)]
pub(super) struct Record {
    pub(super) id: String,
    pub(super) group_correlation_id: String,
    pub(super) ref_correlation_id: String,
    pub(super) type_id: i64,
    pub(super) type_name: &'static str,
    /// 20 completed, 60 refund completed.
    pub(super) status_id: i64,
    pub(super) ext_transaction_id: String,
    pub(super) from_wallet: String,
    pub(super) to_wallet: String,
    pub(super) amount: Decimal,
    pub(super) description: String,
    pub(super) created: OffsetDateTime,
    pub(super) seq: u64,
}

/// A TR Karekod (BKM/TCMB TR QR).
#[derive(Debug, Clone)]
pub(super) struct TrQr {
    pub(super) text: String,
    pub(super) ref_no: String,
    pub(super) amount: Decimal,
    pub(super) merchant_name: String,
    pub(super) created: OffsetDateTime,
    pub(super) expires: OffsetDateTime,
    /// 100 WaitForPayment, 200 Approved, 300 Canceled (400 Expire is derived).
    pub(super) status: i64,
    pub(super) status_date: OffsetDateTime,
}
