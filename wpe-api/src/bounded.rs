//! Integer query parameters with upstream bounds, checked before a request
//! is sent: page sizes of the list endpoints and of the usage endpoint.

#[cfg(feature = "schemars")]
use std::borrow::Cow;
use std::fmt;

/// A value outside the range the API accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value} is out of range: the API accepts {min} to {max}")]
pub struct OutOfRange {
    /// Which parameter was being set.
    pub what: &'static str,
    /// The value that was rejected.
    pub value: i128,
    /// The smallest accepted value.
    pub min: u16,
    /// The largest accepted value.
    pub max: u16,
}

macro_rules! bounded {
    ($(#[$meta:meta])* $name:ident, $what:literal, $min:literal ..= $max:literal, default $default:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u16);

        impl $name {
            /// The smallest accepted value.
            pub const MIN: u16 = $min;
            /// The largest accepted value.
            pub const MAX: u16 = $max;
            /// The value the API uses when the parameter is omitted.
            pub const DEFAULT: Self = Self($default);

            /// Checks `value` against the accepted range.
            pub fn new(value: impl Into<i128>) -> Result<Self, OutOfRange> {
                let value = value.into();
                if (i128::from(Self::MIN)..=i128::from(Self::MAX)).contains(&value) {
                    Ok(Self(value as u16))
                } else {
                    Err(OutOfRange { what: $what, value, min: Self::MIN, max: Self::MAX })
                }
            }

            /// The value.
            pub fn get(self) -> u16 {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::DEFAULT
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        bounded!(@try_from $name: i32, i64, u8, u16, u32, u64);

        impl TryFrom<usize> for $name {
            type Error = OutOfRange;
            fn try_from(value: usize) -> Result<Self, OutOfRange> {
                Self::new(value as u64)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_u16(self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Self::new(i64::deserialize(deserializer)?).map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "integer", "minimum": $min, "maximum": $max })
            }
        }
    };
    (@try_from $name:ident: $($int:ty),+) => {
        $(impl TryFrom<$int> for $name {
            type Error = OutOfRange;
            fn try_from(value: $int) -> Result<Self, OutOfRange> {
                Self::new(value)
            }
        })+
    };
}

bounded!(
    /// Page size of the list endpoints (`limit`): 0 to 100, 100 by default.
    ///
    /// ```
    /// use wpe_api::types::PageLimit;
    /// assert_eq!(PageLimit::new(25).unwrap().get(), 25);
    /// let err = PageLimit::new(101).unwrap_err();
    /// assert_eq!(err.to_string(), "page limit 101 is out of range: the API accepts 0 to 100");
    /// ```
    PageLimit, "page limit", 0..=100, default 100
);

bounded!(
    /// Page size of `getAccountUsageMetrics` (`limit`): 0 to 1000, 100 by default.
    UsageLimit, "usage page limit", 0..=1000, default 100
);
