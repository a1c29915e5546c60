//! Every operation's field list (besides `public_key`) and whether it takes
//! `language`: the "Strictness" table of `docs/sandbox/epoint.md` in code.
//! A field outside its operation's list is refused.

use super::envelope::{Fields, Language};

pub(super) const ORDER_ID_MAX: usize = 255;
pub(super) const DESCRIPTION_MAX: usize = 1000;
/// Longest id (`te…`, `ce…`, wallet and installment ids) accepted.
pub(super) const ID_MAX: usize = 64;

// ---- card operations ----

const PAY_FIELDS: &[&str] = &[
    "amount",
    "currency",
    "order_id",
    "success_redirect_url",
    "error_redirect_url",
    "description",
    "other_attr",
    "is_installment",
];
pub(super) const REQUEST: Fields = Fields {
    names: PAY_FIELDS,
    language: Language::Optional,
};
/// payment-request: the `request` family with `language` required (m56).
pub(super) const PAYMENT_REQUEST: Fields = Fields {
    names: PAY_FIELDS,
    language: Language::Required,
};
/// amex-request and payment-change-sum: no `is_installment` in any source.
pub(super) const REQUEST_FAMILY: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "success_redirect_url",
        "error_redirect_url",
        "description",
        "other_attr",
    ],
    language: Language::Required,
};
pub(super) const PRE_AUTH: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "success_redirect_url",
        "error_redirect_url",
        "description",
        "other_attr",
    ],
    language: Language::Required,
};
pub(super) const PRE_AUTH_COMPLETE: Fields = Fields {
    names: &["transaction", "amount"],
    language: Language::Refused,
};
pub(super) const SAVE_CARD: Fields = Fields {
    names: &["refund", "description", "success_redirect_url", "error_redirect_url"],
    language: Language::Optional,
};
pub(super) const PAY_AND_SAVE: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "success_redirect_url",
        "error_redirect_url",
        "description",
        "refund",
    ],
    language: Language::Optional,
};
pub(super) const SPLIT_PAY: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "success_redirect_url",
        "error_redirect_url",
        "description",
        "split_user",
        "split_amount",
        "other_attr",
    ],
    language: Language::Optional,
};
pub(super) const SPLIT_PAY_AND_SAVE: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "success_redirect_url",
        "error_redirect_url",
        "description",
        "split_user",
        "split_amount",
    ],
    language: Language::Optional,
};
pub(super) const GET_STATUS: Fields = Fields {
    names: &["transaction"],
    language: Language::Optional,
};
pub(super) const CARD_STATUS: Fields = Fields {
    names: &["card_id"],
    language: Language::Refused,
};
pub(super) const DIRECT: Fields = Fields {
    names: &["amount", "currency", "order_id", "card_id", "description"],
    language: Language::Optional,
};
pub(super) const SPLIT_DIRECT: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "card_id",
        "split_user",
        "split_amount",
        "description",
    ],
    language: Language::Optional,
};
pub(super) const REVERSE: Fields = Fields {
    names: &["transaction", "currency", "amount"],
    language: Language::Optional,
};

// ---- token ----

pub(super) const WIDGET: Fields = Fields {
    names: &["amount", "order_id", "description"],
    language: Language::Refused,
};

pub(super) const TOKEN_PAYMENT: Fields = Fields {
    names: &["amount", "currency", "order_id", "description"],
    language: Language::Optional,
};

/// PyPI `epoint` 0.4.0: "same fields as split-request".
pub(super) const TOKEN_SPLIT_PAYMENT: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "success_redirect_url",
        "error_redirect_url",
        "description",
        "split_user",
        "split_amount",
        "other_attr",
    ],
    language: Language::Optional,
};

pub(super) const APPLE_SESSION: Fields = Fields {
    names: &["origin"],
    language: Language::Refused,
};

pub(super) const TOKEN_PAY: Fields = Fields {
    names: &["id", "token", "billingContact"],
    language: Language::Refused,
};

// ---- services ----

pub(super) const WALLET_STATUS: Fields = Fields {
    names: &[],
    language: Language::Refused,
};

pub(super) const WALLET_PAYMENT: Fields = Fields {
    names: &["wallet_id", "amount", "currency", "order_id", "description"],
    language: Language::Required,
};

pub(super) const INSTALLMENT_OPTIONS: Fields = Fields {
    names: &["currency", "order_id", "amount", "description", "other_attr"],
    language: Language::Required,
};

pub(super) const INSTALLMENT_REQUEST: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "installment_card_id",
        "installment_month",
        "description",
        "success_redirect_url",
        "error_redirect_url",
        "other_attr",
    ],
    language: Language::Required,
};

// ---- invoices ----

const INVOICE_FIELDS: &[&str] = &[
    "sum",
    "display",
    "save_as_template",
    "status_installment",
    "name",
    "description",
    "phone",
    "email",
    "inn",
    "contract_number",
    "merchant_order_id",
    "period_from",
    "period_to",
];

pub(super) const CREATE: Fields = Fields {
    names: INVOICE_FIELDS,
    language: Language::Refused,
};

pub(super) const UPDATE: Fields = Fields {
    names: &[
        "id",
        "sum",
        "display",
        "save_as_template",
        "status_installment",
        "name",
        "description",
        "phone",
        "email",
        "inn",
        "contract_number",
        "merchant_order_id",
        "period_from",
        "period_to",
    ],
    language: Language::Refused,
};

pub(super) const VIEW: Fields = Fields {
    names: &["id"],
    language: Language::Refused,
};

pub(super) const LIST: Fields = Fields {
    names: &["type", "order"],
    language: Language::Refused,
};

pub(super) const SEND_SMS: Fields = Fields {
    names: &["id", "phone"],
    language: Language::Refused,
};

pub(super) const SEND_EMAIL: Fields = Fields {
    names: &["id", "email"],
    language: Language::Refused,
};
