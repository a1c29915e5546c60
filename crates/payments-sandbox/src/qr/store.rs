//! The emulator's state: one lock around bounded maps, held only for short
//! look-ups and updates.
//!
//! | store | cap | kept for |
//! |---|---|---|
//! | tokens | [`MAX_TOKENS`] | lifetime + 1 h (so an expired token is told apart from an unknown one) |
//! | QR codes | [`MAX_QR_CODES`] | expiry + 1 day (status stays readable) |
//! | Begin sessions | [`MAX_SESSIONS`] | expiry + 1 h |
//! | payments, refunds, reconciliation records | [`MAX_PAYMENTS`] | until evicted (oldest first) |
//! | TR QR codes | [`MAX_QR_CODES`] | expiry + 1 day |
//! | wallets | not capped: only [`State::add_wallet`] adds them |

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

use super::model::{Payment, QrCode, QrKind, QrSession, Record, TrQr, Wallet};
use super::util::{digits_nonzero, random_text};
use super::{
    MERCHANT_ACCOUNT, MERCHANT_WALLET, POOR_WALLET, PROVIDER_IDS, QR_LIFETIME_SECS, SECOND_WALLET,
    SECOND_WALLET_ACCOUNT, TEST_WALLET, TEST_WALLET_ACCOUNT,
};
use crate::Shared;
use crate::bounded::BoundedMap;

/// Tokens kept at most.
pub const MAX_TOKENS: usize = 10_000;
/// QR codes (and TR QR codes) kept at most.
pub const MAX_QR_CODES: usize = 20_000;
/// Begin sessions kept at most.
pub const MAX_SESSIONS: usize = 20_000;
/// Payments, refunds and reconciliation records kept at most (each).
pub const MAX_PAYMENTS: usize = 50_000;

/// A refund as stored: (payment transaction_id, amount, refund transaction_id).
pub(super) type RefundRecord = (String, Decimal, String);

#[derive(Debug)]
pub(super) struct Store {
    tokens: BoundedMap<String, OffsetDateTime>,
    pub(super) wallets: HashMap<String, Wallet>,
    pub(super) qr_codes: BoundedMap<String, QrCode>,
    /// short code -> full code.
    pub(super) short_codes: BoundedMap<String, String>,
    pub(super) sessions: BoundedMap<String, QrSession>,
    pub(super) payments: BoundedMap<String, Payment>,
    /// correlation id -> transaction_id.
    pub(super) by_correlation: BoundedMap<String, String>,
    /// ext_transaction_id -> refund.
    pub(super) refunds: BoundedMap<String, RefundRecord>,
    pub(super) records: BoundedMap<String, Record>,
    pub(super) tr_qr: BoundedMap<String, TrQr>,
    /// Indexes, so no request scans a whole store under the lock:
    /// Payment ext_transaction_ids used.
    pub(super) payment_exts: BoundedMap<String, ()>,
    /// CreateQRPayment ext_order_ids used.
    pub(super) order_exts: BoundedMap<String, ()>,
    /// TR QR text -> its reference.
    pub(super) tr_by_text: BoundedMap<String, String>,
    pub(super) next_seq: u64,
    pub(super) spaced_correlation_key: bool,
    pub(super) webhook_url: Option<String>,
    /// Bank receipt numbers of top-ups already credited (code 360 on reuse).
    pub(super) receipts: BoundedMap<String, ()>,
}

impl Store {
    pub(super) fn add_token(&mut self, token: String, expires: OffsetDateTime, now: OffsetDateTime) {
        self.tokens
            .insert_until(token, expires, Some(expires + Duration::hours(1)), now);
    }

    pub(super) fn token_expiry(&self, token: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
        self.tokens.get(token, now).copied()
    }

    pub(super) fn insert_qr(&mut self, qr: QrCode, now: OffsetDateTime) {
        let keep = Some(qr.expires + Duration::days(1));
        self.short_codes
            .insert_until(qr.short_code.clone(), qr.code.clone(), keep, now);
        self.qr_codes.insert_until(qr.code.clone(), qr, keep, now);
    }

    /// A QR code by its full or short code.
    pub(super) fn find_qr(&self, code: &str, now: OffsetDateTime) -> Option<&QrCode> {
        self.qr_codes.get(code, now).or_else(|| {
            self.short_codes
                .get(code, now)
                .and_then(|full| self.qr_codes.get(full, now))
        })
    }

    pub(super) fn insert_payment(&mut self, p: Payment, now: OffsetDateTime) {
        self.by_correlation
            .insert(p.correlation_id.clone(), p.transaction_id.clone(), now);
        self.payments.insert(p.transaction_id.clone(), p, now);
    }

    /// A payment by its transaction_id or tx_correlation_id.
    pub(super) fn payment_id(&self, id: &str, now: OffsetDateTime) -> Option<String> {
        if self.payments.contains_key(id, now) {
            return Some(id.to_owned());
        }
        self.by_correlation.get(id, now).cloned()
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn record(
        &mut self,
        type_id: i64,
        type_name: &'static str,
        status_id: i64,
        (group, reference): (&str, &str),
        ext: &str,
        (from, to): (&str, &str),
        amount: Decimal,
        description: &str,
        now: OffsetDateTime,
    ) -> String {
        self.next_seq += 1;
        let id = digits_nonzero(19);
        let record = Record {
            id: id.clone(),
            group_correlation_id: group.to_owned(),
            ref_correlation_id: reference.to_owned(),
            type_id,
            type_name,
            status_id,
            ext_transaction_id: ext.to_owned(),
            from_wallet: from.to_owned(),
            to_wallet: to.to_owned(),
            amount,
            description: description.to_owned(),
            created: now,
            seq: self.next_seq,
        };
        self.records.insert(id.clone(), record, now);
        id
    }
}

fn wallet(number: &str, name: &str, account: &str, balance: Decimal, business: bool) -> Wallet {
    let mut providers: Vec<String> = PROVIDER_IDS.iter().map(|p| (*p).to_owned()).collect();
    providers.push("Metropol".to_owned());
    Wallet {
        id: digits_nonzero(19),
        number: number.to_owned(),
        name: name.to_owned(),
        account_number: account.to_owned(),
        balance,
        business,
        providers,
    }
}

/// The emulator's state.
#[derive(Debug)]
pub struct State {
    pub(super) shared: Arc<Shared>,
    store: Mutex<Store>,
    /// The identity server's client id and secret (rotatable over the control API).
    credentials: Mutex<(String, String)>,
}

/// A partner QR code minted by [`State::create_partner_qr`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerQr {
    /// The full QR code (`qr_code_type` 1).
    pub qr_code: String,
    /// The short code (`qr_code_type` 2).
    pub short_code: String,
}

/// A TR Karekod minted by [`State::create_tr_qr`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrQrCode {
    /// The scanned text (ReadTRQRCode's `QRCode`).
    pub text: String,
    /// The reference (GetTRQRCode's `QrRefNo`).
    pub ref_no: String,
}

impl State {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        let mut wallets = HashMap::new();
        for w in [
            wallet(
                TEST_WALLET,
                "Test Cüzdan",
                TEST_WALLET_ACCOUNT,
                Decimal::new(100_000, 2),
                false,
            ),
            wallet(
                SECOND_WALLET,
                "İkinci Cüzdan",
                SECOND_WALLET_ACCOUNT,
                Decimal::new(25_000, 2),
                true,
            ),
            wallet(POOR_WALLET, "Boş Cüzdan", "EEEEEE020", Decimal::new(10, 2), false),
            wallet(MERCHANT_WALLET, "Test_58", MERCHANT_ACCOUNT, Decimal::ZERO, true),
        ] {
            wallets.insert(w.number.clone(), w);
        }
        let store = Store {
            tokens: BoundedMap::new(MAX_TOKENS, None),
            wallets,
            qr_codes: BoundedMap::new(MAX_QR_CODES, None),
            short_codes: BoundedMap::new(MAX_QR_CODES, None),
            sessions: BoundedMap::new(MAX_SESSIONS, None),
            payments: BoundedMap::new(MAX_PAYMENTS, None),
            by_correlation: BoundedMap::new(MAX_PAYMENTS, None),
            refunds: BoundedMap::new(MAX_PAYMENTS, None),
            records: BoundedMap::new(MAX_PAYMENTS, None),
            tr_qr: BoundedMap::new(MAX_QR_CODES, None),
            payment_exts: BoundedMap::new(MAX_PAYMENTS, None),
            order_exts: BoundedMap::new(MAX_PAYMENTS, None),
            tr_by_text: BoundedMap::new(MAX_QR_CODES, None),
            next_seq: 0,
            spaced_correlation_key: false,
            webhook_url: None,
            receipts: BoundedMap::new(MAX_PAYMENTS, None),
        };
        State {
            shared,
            store: Mutex::new(store),
            credentials: Mutex::new((super::CLIENT_ID.to_owned(), super::CLIENT_SECRET.to_owned())),
        }
    }

    /// The identity server's client id and secret now.
    pub fn credentials(&self) -> (String, String) {
        self.credentials.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the client id and secret the identity server accepts (tokens
    /// already issued stay valid until they expire).
    pub fn set_credentials(&self, client_id: &str, client_secret: &str) {
        *self.credentials.lock().unwrap_or_else(|p| p.into_inner()) = (client_id.to_owned(), client_secret.to_owned());
    }

    /// When an access token expires (`None`: never issued, or evicted).
    pub(crate) fn token_expiry(&self, token: &str) -> Option<OffsetDateTime> {
        let now = self.now();
        self.store().token_expiry(token, now)
    }

    /// Whether a wallet exists.
    pub fn has_wallet(&self, wallet_number: &str) -> bool {
        self.store().wallets.contains_key(wallet_number)
    }

    pub(super) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn now(&self) -> OffsetDateTime {
        use payments_core::clock::Clock;
        self.shared.clock.now()
    }

    /// The identity server's token URL (`{base}/qr/identity/connect/token`).
    pub fn token_url(&self) -> String {
        format!("{}/qr/identity/connect/token", self.shared.base_url)
    }

    /// The API base (`{base}/qr/api`); the client appends `/v1/Transaction/...`.
    pub fn api_url(&self) -> String {
        format!("{}/qr/api", self.shared.base_url)
    }

    /// Mints a partner QR code (as `Create3rdPartyQrCode` does) for `amount` TRY,
    /// payable for [`QR_LIFETIME_SECS`] of the sandbox clock.
    pub fn create_partner_qr(&self, merchant_code: &str, terminal_code: &str, amount: Decimal) -> PartnerQr {
        let now = self.now();
        let qr = new_qr(
            QrKind::Partner {
                merchant_no: merchant_code.to_owned(),
                terminal_no: terminal_code.to_owned(),
            },
            amount,
            now,
        );
        let out = PartnerQr {
            qr_code: qr.code.clone(),
            short_code: qr.short_code.clone(),
        };
        self.store().insert_qr(qr, now);
        out
    }

    /// Mints a TR Karekod for `amount` TRY, valid for `lifetime`.
    pub fn create_tr_qr(&self, amount: Decimal, lifetime: std::time::Duration) -> TrQrCode {
        let now = self.now();
        let ref_no = digits_nonzero(16);
        let minor = (amount * Decimal::from(100)).trunc();
        let text = format!(
            "00020101021226{}5204581253039495412{:0>12}5802TR5907SANDBOX6008ISTANBUL62{}",
            digits_nonzero(12),
            minor,
            ref_no
        );
        let lifetime = Duration::try_from(lifetime).unwrap_or(Duration::hours(1));
        let qr = TrQr {
            text: text.clone(),
            ref_no: ref_no.clone(),
            amount,
            merchant_name: "SANDBOX".to_owned(),
            created: now,
            expires: now + lifetime,
            status: 100,
            status_date: now,
        };
        let keep = Some(qr.expires + Duration::days(1));
        let mut store = self.store();
        store.tr_by_text.insert_until(text.clone(), ref_no.clone(), keep, now);
        store.tr_qr.insert_until(ref_no.clone(), qr, keep, now);
        TrQrCode { text, ref_no }
    }

    /// Sets a TR QR's status (200 Approved, 300 Canceled), as the paying bank would.
    pub fn set_tr_qr_status(&self, ref_no: &str, status: i64) -> bool {
        let now = self.now();
        let mut store = self.store();
        match store.tr_qr.get_mut(ref_no, now) {
            Some(q) => {
                q.status = status;
                q.status_date = now;
                true
            }
            None => false,
        }
    }

    /// Adds (or replaces) a personal wallet with a TRY balance.
    pub fn add_wallet(&self, number: &str, account_number: &str, balance: Decimal) {
        self.store().wallets.insert(
            number.to_owned(),
            wallet(number, "Sandbox", account_number, balance, false),
        );
    }

    /// Adds (or replaces) a business wallet with a TRY balance.
    pub fn add_business_wallet(&self, number: &str, account_number: &str, balance: Decimal) {
        self.store().wallets.insert(
            number.to_owned(),
            wallet(number, "Sandbox İşletme", account_number, balance, true),
        );
    }

    /// A wallet's balance.
    pub fn balance(&self, wallet_number: &str) -> Option<Decimal> {
        self.store().wallets.get(wallet_number).map(|w| w.balance)
    }

    /// A wallet's account number.
    pub fn account_of(&self, wallet_number: &str) -> Option<String> {
        self.store()
            .wallets
            .get(wallet_number)
            .map(|w| w.account_number.clone())
    }

    /// The sum of every wallet's balance (payments and refunds move money
    /// between wallets; only top-ups and withdrawals change the sum).
    pub fn total_balance(&self) -> Decimal {
        self.store().wallets.values().map(|w| w.balance).sum()
    }

    /// True when every payment has refunded no more than it paid, every
    /// session was debited at most once, and no balance is negative.
    pub fn payments_consistent(&self) -> bool {
        let now = self.now();
        let store = self.store();
        let mut seen = std::collections::HashSet::new();
        store
            .payments
            .values(now)
            .all(|p| p.refunded <= p.amount && seen.insert(p.correlation_id.clone()))
            && store.wallets.values().all(|w| !w.balance.is_sign_negative())
    }

    /// Whether Begin3rdPartyQRCodePayment writes the correlation id under the seed's
    /// literal key `" tx_correlation_id "` (with spaces) instead of `tx_correlation_id`.
    pub fn set_spaced_correlation_key(&self, spaced: bool) {
        self.store().spaced_correlation_key = spaced;
    }

    /// The API client, the wallets and the webhook URL (published test data), for the control API.
    pub fn merchants(&self) -> serde_json::Value {
        let store = self.store();
        let mut wallets: Vec<serde_json::Value> = store
            .wallets
            .values()
            .map(|w| {
                serde_json::json!({
                    "wallet": w.number, "account": w.account_number, "name": w.name,
                    "balance": w.balance.to_string(), "business": w.business,
                })
            })
            .collect();
        wallets.sort_by(|a, b| a["wallet"].as_str().cmp(&b["wallet"].as_str()));
        drop(store);
        let (client_id, client_secret) = self.credentials();
        let store = self.store();
        serde_json::json!({
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": super::SCOPE,
            "provider_ids": super::PROVIDER_IDS,
            "webhook_url": store.webhook_url,
            "wallets": wallets,
        })
    }

    /// The newest `limit` QR codes (payments to make), newest first by expiry, as the console shows them.
    pub fn recent_payments(&self, limit: usize) -> Vec<serde_json::Value> {
        let now = self.now();
        let mut codes: Vec<QrCode> = self.store().qr_codes.values(now).cloned().collect();
        codes.sort_by(|a, b| (b.expires, &b.code).cmp(&(a.expires, &a.code)));
        codes
            .into_iter()
            .take(limit)
            .map(|q| {
                let kind = match &q.kind {
                    super::model::QrKind::Partner { .. } => "partner QR",
                    super::model::QrKind::Provider { .. } => "provider QR",
                    super::model::QrKind::Wallet { .. } => "wallet QR (CreateQRPayment)",
                };
                let state = if q.paid_by.is_some() {
                    "PAID"
                } else if q.expires <= now {
                    "EXPIRED"
                } else {
                    "WAITING"
                };
                // Only a wallet QR has the sandbox's wallet-app page.
                let page = (state == "WAITING" && matches!(q.kind, super::model::QrKind::Wallet { .. }))
                    .then(|| format!("{}/qr/sandbox/pay/{}", self.shared.base_url, q.code));
                serde_json::json!({
                    "id": q.code, "kind": kind, "order_id": q.paid_by,
                    "amount": q.amount.to_string(), "currency": "TRY", "state": state, "page": page,
                })
            })
            .collect()
    }

    /// The tenant's webhook URL (top-up and bank-transfer webhooks go there).
    pub fn set_webhook_url(&self, url: &str) {
        self.store().webhook_url = Some(url.to_owned());
    }

    /// How many entries each store holds: `(name, len, cap)`.
    pub fn store_sizes(&self) -> Vec<(&'static str, usize, usize)> {
        let s = self.store();
        vec![
            ("tokens", s.tokens.len(), s.tokens.cap()),
            ("qr_codes", s.qr_codes.len(), s.qr_codes.cap()),
            ("sessions", s.sessions.len(), s.sessions.cap()),
            ("payments", s.payments.len(), s.payments.cap()),
            ("refunds", s.refunds.len(), s.refunds.cap()),
            ("records", s.records.len(), s.records.cap()),
            ("tr_qr", s.tr_qr.len(), s.tr_qr.cap()),
        ]
    }
}

/// A new QR code of `kind`, payable for [`QR_LIFETIME_SECS`].
pub(super) fn new_qr(kind: QrKind, amount: Decimal, now: OffsetDateTime) -> QrCode {
    let code = match &kind {
        QrKind::Partner { merchant_no, .. } => format!("0002010102122651{}{}", merchant_no, digits_nonzero(16)),
        QrKind::Provider { .. } => format!("SBXPRV{}", digits_nonzero(20)),
        QrKind::Wallet { .. } => format!("SBXQRP{}", digits_nonzero(20)),
    };
    QrCode {
        code,
        short_code: random_text(b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", 8),
        kind,
        amount,
        expires: now + Duration::seconds(QR_LIFETIME_SECS),
        paid_by: None,
    }
}
