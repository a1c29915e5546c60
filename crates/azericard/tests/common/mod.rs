//! Shared test fixtures: the throwaway key pair, configs and fixed clocks.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use azericard::{AzericardClient, AzericardConfig, GatewayPublicKey, MerchantKey};
use payments_core::clock::ManualClock;
use payments_core::http::{HttpClient, NoJitter, RetryPolicy};

pub const PRIVATE_PEM: &[u8] = include_bytes!("../data/azericard-test-key.pem");
pub const PUBLIC_PEM: &[u8] = include_bytes!("../data/azericard-test-key.pub.pem");
pub const TERMINAL: &str = "17201234";
pub const TRANSFER_SECRET: &str = "transfer-secret";

pub const A1_P_SIGN: &str = "4c1d1c0c659fa15a36e372882362c1af5c5503c2d788b7e6c2c6ee532622188521b1082d20f374ca5b89fae07a5207a7cbe4f559907e7e638d3962db86b387b14db551f94884b8ae53f0c6b1a2e61cf107d674a395686ed8c2fad78f3d6ae82e070a5247b7f9f88191a0e5082754bea67a0747a41d36ff2d63101356605aaf8385434c1eb058915851965b935c2ad797b32c3f1e398ac24684ce137105f69f0e58ebb6e58fa6035ee9d19e5b14b908b05e095e49c8fbbc6afdf7179e1308b48a7da8abffbc455f45481199ff1ebb59078f77a579b9f757363f19a1954cbc4eddc0d731cb6be652b7823ee75d83482727eb85241131d4ef38fd9dec982e981699";
pub const A2_P_SIGN: &str = "5686aa8455a2c85b8c7f68bc1d4c055fe3b94955d47483ae79921f347be77ef130f0342d8eb8aef0f166817afb05f857f0c691ef17cfc7c7a6a16a352897a59fac9efdf8c3c42b93c5459f128352ca6d522ca90264ca16ecd7c9f9369ad156fa95c4d6776e01188e3feab0e74eaa75c48fec9f2917b358d86276d436d6b3290ba56f195d57c2af9a86f9ede408a8972816f42d9fb4c1c9903c3ea8d86d5a89204507e30193e6d048706779b4243a1006e4a43d17f7969659aedff6268571ef0e53d385c8a7b4815a529a8ad49dad778d678421c80073f1e41909bcb8ecc3885306061251baf95cfdf903efc57e6fa9896efade31127ee7ca84587a8123c9a707";
pub const A2B_P_SIGN: &str = "8674f3f51ffcdd2d0e7f3e308de23cf3e2da3e795e69100ed6ca2a50f1460ae43d9b011e537245ef17e6e68f61e690d7deade52a1bfe21d2402e7cf2b32812359914792c9d05bf9548a3bdcd06796e09c937ffbd52c1e9f9c90c63b2e97596d8801061862898066e2cef9e0f2137d93636c539959114ae88c2f4b5a74e03f8687ba23980ab1989d0c8bb040e3400aee61533503d5b115c2ff5d72b5e4f7dd353fd4833bb6d5709b3f21d2212e7e15c9ad2c5cc356d928066d79c703bf852fe75014a623cae4a7de9295bcc63784739a10a0ddd75eb31abc0c18fb7f7f9826ec6f9ec866e5197cbc5be8d8310035bd1c6b4fcf66babe4e6ada5aa58c402ce5337";
pub const A3_P_SIGN: &str = "23b93560c63dbebe7fa72054f88faa9026c43abeb439f406a1e27a7f71bddb2f5df6e9b1328691117237ca0d5e57dfa686245b72b29a3fed57cc685a7c8415e68624ba869b7a49faa5dc91d66a9ab105fb1861c809f5b1447c3346d6bbeee19cacd38e3e6ee239b4ae80b4eaf282e04c1456107d2bd17b3dce192fa13da0956658b856905ab3bded6d3c6f7d1de1812fb91d497084f42d0c1678afc17b64c560caff0b6b34af0a9429bbd2f556895537630edf18ee836d69a5a1eac5ed8929233786afed84f153cbb9dc49a314abc2fa0702825e912899f7a2d35ddbedc2e2919135bb325ca1558e2b9c9439a366b6a62c13740cd35db0eed54fda8c4b1f7157";
pub const A4_P_SIGN: &str = "170ba79394e5e7b2d5402a25a0a3196e7cd91b611412cfb268916346faf46233a6efbc5e7d46d46a0a6cef2403d7b220de4093d52f2d2644b424a052ec999600ff5ccc2f5fcfecdfbd900f2ce62e485fb40902084412759deb9d0365ef732f31f1558349c4671a04a8037752644d836e50bcef599ad49117435a50ce2c2d540f5c4ff73965feaa7cf986c34bb8209194cf6e67ecf7aef79b5e2b682814893331b49f703afd630fc24e84255ba37700abee50ab0e562f57a8b041db28203accb1049dd5e45608a882451adfea68366150a45119ca5eee68d8d543b3b3a3e3bb89a72db9c2ddd9de01b26af8b4bd6724e0b61ecf1224c85fe1dffca547cb8d531b";

pub fn key() -> MerchantKey {
    MerchantKey::from_pem(PRIVATE_PEM).unwrap()
}

pub fn gateway_key() -> GatewayPublicKey {
    GatewayPublicKey::from_pem(PUBLIC_PEM).unwrap()
}

/// The clock at 2025-01-01 12:00 UTC, the spec's vector time.
pub fn clock() -> ManualClock {
    ManualClock::new(time::macros::datetime!(2025-01-01 12:00 UTC))
}

/// A fully configured test config against `base` (MPI at `{base}/azericard`, MT at `{base}/azericard-mt`).
pub fn config_at(base: &str, clock: &ManualClock) -> AzericardConfig {
    AzericardConfig::builder(TERMINAL)
        .merchant_key(key())
        .gateway_public_key(gateway_key())
        .merchant_name("Test Shop")
        .merchant_url("https://shop.example")
        .merchant_email("shop@example.az")
        .callback_url("https://shop.example/azericard/callback")
        .transfer_secret(TRANSFER_SECRET)
        .transfer_merchant("TESTSHOP")
        .mpi_base_url(format!("{base}/azericard"))
        .mt_base_url(format!("{base}/azericard-mt"))
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap()
}

pub fn config() -> AzericardConfig {
    config_at("https://testmpi.3dsecure.az", &clock())
}

/// An executor with fast retries (3 attempts, 1 ms apart).
pub fn fast_http() -> HttpClient {
    HttpClient::builder()
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(2)),
        )
        .jitter(NoJitter)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

pub fn client_at(base: &str, clock: &ManualClock) -> AzericardClient {
    AzericardClient::builder(config_at(base, clock))
        .http_client(fast_http())
        .build()
        .unwrap()
}

/// Decodes a form body into ordered pairs.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// The A4 callback body: the spec's signed fields and P_SIGN, plus the unsigned ones.
pub fn a4_fields(timestamp: &str, nonce: &str) -> Vec<(String, String)> {
    pairs(&[
        ("ORDER", "100001"),
        ("TERMINAL", TERMINAL),
        ("TRTYPE", "1"),
        ("TIMESTAMP", timestamp),
        ("NONCE", nonce),
        ("AMOUNT", "10.50"),
        ("CURRENCY", "AZN"),
        ("ACTION", "0"),
        ("RC", "00"),
        ("APPROVAL", "123456"),
        ("RRN", "412345678901"),
        ("INT_REF", "A1B2C3D4E5F60718"),
        ("P_SIGN", A4_P_SIGN),
    ])
}

pub fn encode(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}
