//! EPoint's status and operation-code enums, each with an `Unknown` fallback.
//!
//! Values are matched case-insensitively: EPoint sends lowercase, but the
//! English summary of the API shows `SUCCESS`.

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this SDK does not know, as EPoint sent it.
            Unknown(String),
        }

        impl $name {
            /// Parses the wire text (case-insensitive); anything else is `Unknown`.
            pub fn parse(text: &str) -> $name {
                $(if text.eq_ignore_ascii_case($text) { return $name::$variant; })+
                $name::Unknown(text.to_owned())
            }

            /// The wire text.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Unknown(text) => text,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok($name::parse(&text))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// The result of an operation (most responses and every callback).
    Status {
        /// The operation succeeded.
        Success = "success",
        /// The operation was declined or failed (a value, not an error).
        Error = "error",
        /// The operation failed (a value, not an error).
        Failed = "failed",
        /// EPoint rejected the request itself (for example "Signature did not
        /// match"); parsers turn it into an `Err`.
        ServerError = "server_error",
    }
}

impl Status {
    /// True for `success`.
    pub fn is_success(&self) -> bool {
        matches!(self, Status::Success)
    }

    /// True for `error` and `failed`: the operation was declined.
    pub fn is_declined(&self) -> bool {
        matches!(self, Status::Error | Status::Failed)
    }
}

wire_enum! {
    /// A transaction's state as `get-status` reports it.
    ExtendedStatus {
        /// Created; the customer has not finished.
        New = "new",
        /// Paid.
        Success = "success",
        /// Refunded (reversed).
        Returned = "returned",
        /// Declined or failed.
        Error = "error",
        /// EPoint rejected the status request itself; parsers turn it into an `Err`.
        ServerError = "server_error",
    }
}

wire_enum! {
    /// What kind of operation a response or callback is about.
    OperationCode {
        /// `001`: card registration.
        CardRegistration = "001",
        /// `100`: customer payment.
        Payment = "100",
        /// `200`: card registration with the first payment
        /// (`card-registration-with-pay`, `split-card-registration-with-pay`).
        CardRegistrationWithPayment = "200",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_is_case_insensitive_with_fallback() {
        assert_eq!(Status::parse("SUCCESS"), Status::Success);
        assert_eq!(Status::parse("server_error"), Status::ServerError);
        assert_eq!(Status::parse("pending"), Status::Unknown("pending".into()));
        assert_eq!(ExtendedStatus::parse("Returned"), ExtendedStatus::Returned);
        assert_eq!(OperationCode::parse("001"), OperationCode::CardRegistration);
        assert_eq!(OperationCode::parse("1"), OperationCode::Unknown("1".into()));
        assert_eq!(Status::Unknown("x".into()).as_str(), "x");
        let s: Status = serde_json::from_str(r#""failed""#).unwrap();
        assert!(s.is_declined() && !s.is_success());
        assert_eq!(serde_json::to_string(&ExtendedStatus::New).unwrap(), r#""new""#);
    }
}
