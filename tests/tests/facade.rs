//! The facade re-exports the core types.

#[test]
fn facade_reexports_core_money() {
    let m = payments::Money::parse_major("1.5", payments::Currency::AZN).unwrap();
    assert_eq!(m.to_major_string(), "1.50");
    let core: payments_core::Money = m;
    assert_eq!(core.minor(), 150);
}
