//! ePay's published test credentials, the sandbox's test cards and magic
//! amounts, and which client owns which terminal.

/// ePay's published test client id (payments, P2P and OCT terminals).
pub const TEST_CLIENT_ID: &str = "test";
/// ePay's published test client secret.
pub const TEST_CLIENT_SECRET: &str = "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG";
/// ePay's published test terminal (two-step: approval leaves the payment in AUTH).
pub const TEST_TERMINAL: &str = "67e34d63-102f-4bd1-898e-370781d0074d";
/// ePay's published P2P transfer test terminal ("Test credentials" page).
pub const P2P_TERMINAL: &str = "40a348cb-68a3-45d5-9002-a4836d79c3b5";
/// ePay's published OCT (payout) test terminal.
pub const OCT_TERMINAL: &str = "c36b282f-6819-4d4f-85df-a4bdc8a8f703";
/// The "QR by API" test client id.
pub const QR_CLIENT_ID: &str = "EPAY-TEST-PAYMENT";
/// The "QR by API" test client secret.
pub const QR_CLIENT_SECRET: &str = "gG1uIMT$cTZJS&Lm";
/// The "QR by API" test terminal (one-step).
pub const QR_TERMINAL: &str = "5f7bdf8b-f34c-4aed-bd0c-47fa1e323496";
/// The invoice-links test client id (from the seed).
pub const INVOICE_CLIENT_ID: &str = "halykfinanceUSD";
/// The invoice-links test client secret (from the seed).
pub const INVOICE_CLIENT_SECRET: &str = "U01gQZVL##lJ$NhJ";
/// The invoice-links user name for the password grant (from the seed).
pub const INVOICE_USERNAME: &str = "halykfinanceUSD@halykbank.nb";
/// The invoice-links password for the password grant (from the seed).
pub const INVOICE_PASSWORD: &str = "XVp36qar";
/// The invoice-links terminal (one-step: approval leaves the payment in CHARGE).
pub const INVOICE_TERMINAL: &str = "d9d7978c-d6ee-4ec0-8cda-165251a4bf16";
/// The invoice-links shop id (from the seed).
pub const INVOICE_SHOP_ID: &str = "04f25a4b-d2bd-4dd8-b3a7-9390be4774c4";
/// The merchant id reported on invoice links (from the seed).
pub const MERCHANT_ID: &str = "ad638b1d-e515-4b9c-aab3-d3500735f6eb";
/// The password-grant user of client `test` for the P2P operations list.
/// ePay publishes none: this one is the sandbox's own.
pub const P2P_USERNAME: &str = "sandbox-p2p@epay.test";
/// That user's password (sandbox only).
pub const P2P_PASSWORD: &str = "sandbox-p2p-password";
/// Lifetime of every token, in seconds (`expires_in` is sent as the string `"900"`, as in the seed).
pub const TOKEN_LIFETIME_SECS: i64 = 900;
/// Lifetime of a refresh token, in seconds (not documented; the sandbox's choice).
pub const REFRESH_LIFETIME_SECS: i64 = 3600;
/// The scope reported on tokens when the request asks for `api` or nothing.
pub const DEFAULT_SCOPE: &str = "webapi usermanagement email_send verification statement statistics payment";
/// Smallest refund, in KZT.
pub const MIN_REFUND_KZT: i64 = 10;
/// A QR-by-API code not paid or rejected within this many seconds is REJECTED.
pub const QR_LIFETIME_SECS: i64 = 20 * 60;

/// Test cards. Any other 16-digit number is approved like the first.
pub mod cards {
    /// VISA, approved.
    pub const VISA_OK: &str = "4405639704015096";
    /// Mastercard, approved.
    pub const MASTERCARD_OK: &str = "5522042705066736";
    /// Declined: reasonCode 05 "Do not honor".
    pub const DECLINE_DO_NOT_HONOR: &str = "4000000000000002";
    /// Declined: reasonCode 51 "Insufficient funds".
    pub const DECLINE_INSUFFICIENT_FUNDS: &str = "4000000000009995";
    /// Declined: 3-D Secure authentication failed (reasonCode 2028).
    pub const DECLINE_3DS: &str = "4000000000003063";
    /// Times out: the payment stays in 3-D Secure (statusName `3D`, check-status
    /// resultCode `107`), no postLink is sent, and the invoiceId may be paid again.
    pub const TIMEOUT_3DS: &str = "4000000000000259";
}

/// An operation amount (charge or refund) that is applied and then answered with
/// HTTP 504 and no body, as a gateway timeout after the money moved: the client
/// must treat the outcome as unknown and check the status.
pub const MAGIC_TIMEOUT_AMOUNT: i64 = 504;

/// An amount (in any currency) that the issuer always declines with reasonCode 51,
/// whatever the card: for flows where the test does not pick the card (saved cards,
/// transfers, QR).
pub const MAGIC_DECLINE_AMOUNT: i64 = 666;

/// A registered API client and its terminals.
#[derive(Debug, Clone, Copy)]
pub(super) struct ClientDef {
    pub(super) id: &'static str,
    pub(super) secret: &'static str,
    pub(super) terminals: &'static [&'static str],
}

const CLIENTS: [ClientDef; 3] = [
    ClientDef {
        id: TEST_CLIENT_ID,
        secret: TEST_CLIENT_SECRET,
        terminals: &[TEST_TERMINAL, P2P_TERMINAL, OCT_TERMINAL],
    },
    ClientDef {
        id: INVOICE_CLIENT_ID,
        secret: INVOICE_CLIENT_SECRET,
        terminals: &[INVOICE_TERMINAL],
    },
    ClientDef {
        id: QR_CLIENT_ID,
        secret: QR_CLIENT_SECRET,
        terminals: &[QR_TERMINAL],
    },
];

/// An API client as registered now (the published ones, plus any the control
/// API or the start-up config added; secrets may have been rotated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Client {
    pub(super) id: String,
    pub(super) secret: String,
    pub(super) terminals: Vec<String>,
}

/// The published clients, as the registry starts.
pub(super) fn default_clients() -> Vec<Client> {
    CLIENTS
        .iter()
        .map(|c| Client {
            id: c.id.to_owned(),
            secret: c.secret.to_owned(),
            terminals: c.terminals.iter().map(|t| (*t).to_owned()).collect(),
        })
        .collect()
}

/// The password-grant users: (client, username, password).
pub(super) const USERS: [(&str, &str, &str); 2] = [
    (INVOICE_CLIENT_ID, INVOICE_USERNAME, INVOICE_PASSWORD),
    (TEST_CLIENT_ID, P2P_USERNAME, P2P_PASSWORD),
];
