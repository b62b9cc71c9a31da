//! What a builder says about a value it cannot take: the messages of
//! [`Error::InvalidRequest`](crate::Error::InvalidRequest) that the
//! generated setters and body builders produce (`build/adapt.rs` rewrites
//! progenitor's and typify's messages to call these).
//!
//! A parameter's value is quoted as its `Debug` shows it (a string in
//! quotes, with control characters escaped), cut after
//! [`SHOWN_BYTES`] bytes. A setter's value is rendered before it is
//! converted, into a buffer on the stack, so taking a valid value costs no
//! allocation. Body fields are never quoted: a body may hold a secret.

use std::fmt::{self, Write as _};

/// How many bytes of a value's rendering a message quotes.
pub(crate) const SHOWN_BYTES: usize = 64;

/// A value as a message quotes it: its `Debug` rendering, cut after
/// [`SHOWN_BYTES`] bytes (at a character boundary; `...` marks the cut).
pub(crate) struct Shown {
    buf: [u8; SHOWN_BYTES],
    len: usize,
    cut: bool,
}

impl Shown {
    /// Renders `value`; formatting stops once the buffer is full, so a huge
    /// value costs no more than a short one.
    pub(crate) fn of(value: &impl fmt::Debug) -> Self {
        let mut shown = Shown {
            buf: [0; SHOWN_BYTES],
            len: 0,
            cut: false,
        };
        // An error only says the buffer is full: `cut` records it.
        let _ = write!(shown, "{value:?}");
        shown
    }

    fn as_str(&self) -> &str {
        // Only whole characters are written (see `write_str`).
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }

    /// `param: value is not a UUID (expected the form ...)`.
    pub(crate) fn not_a_uuid(&self, param: &str) -> String {
        format!("{param}: {self} is not a UUID (expected the form 294deacc-d8b8-4005-82c4-0727ba8ddde0)")
    }

    /// `param: value is not a date (expected the form ...)`.
    pub(crate) fn not_a_date(&self, param: &str) -> String {
        format!("{param}: {self} is not a date (expected the form 2025-01-31)")
    }

    /// `param: value is not accepted: why`.
    pub(crate) fn not_accepted(&self, param: &str, why: impl fmt::Display) -> String {
        format!("{param}: {self} is not accepted: {why}")
    }
}

impl fmt::Write for Shown {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        if self.cut {
            return Err(fmt::Error);
        }
        let room = SHOWN_BYTES - self.len;
        let mut take = text.len().min(room);
        while !text.is_char_boundary(take) {
            take -= 1;
        }
        self.buf[self.len..self.len + take].copy_from_slice(&text.as_bytes()[..take]);
        self.len += take;
        if take < text.len() {
            self.cut = true;
            return Err(fmt::Error);
        }
        Ok(())
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.cut {
            f.write_str("...")?;
        }
        Ok(())
    }
}

/// How a body field's message starts (its path follows, then a backquote).
const BODY_FIELD: &str = "the request body's field `";

/// The message of a required body field left unset.
pub(crate) fn body_field_missing(field: &str) -> String {
    format!("{BODY_FIELD}{field}` is required (no value supplied)")
}

/// The message of a body field whose value the builder refused: why, never
/// the value (it may be a secret). When `why` is about a field of this
/// field's object, the message names the path (`user.email`).
pub(crate) fn body_field_refused(field: &str, why: impl fmt::Display) -> String {
    let why = why.to_string();
    match why.strip_prefix(BODY_FIELD) {
        Some(inner) => format!("{BODY_FIELD}{field}.{inner}"),
        None => format!("{BODY_FIELD}{field}` is not accepted: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_value_is_quoted_whole() {
        assert_eq!(Shown::of(&"torquemag").to_string(), "\"torquemag\"");
        assert_eq!(Shown::of(&500_u32).to_string(), "500");
    }

    #[test]
    fn a_long_value_is_cut_at_a_character_boundary() {
        let long = "é".repeat(100);
        let shown = Shown::of(&long.as_str()).to_string();
        assert!(shown.ends_with("..."), "{shown}");
        assert!(shown.len() <= SHOWN_BYTES + 3, "{shown}");
        assert!(shown.starts_with("\"éé"), "{shown}");
    }

    #[test]
    fn a_nested_body_field_is_named_by_its_path() {
        let inner = body_field_missing("email");
        assert_eq!(
            body_field_refused("user", inner),
            "the request body's field `user.email` is required (no value supplied)"
        );
        assert_eq!(
            body_field_refused("name", "longer than 32 characters"),
            "the request body's field `name` is not accepted: longer than 32 characters"
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        let shown = Shown::of(&"a\nb\u{1b}[0m\u{7f}").to_string();
        assert_eq!(shown, r#""a\nb\u{1b}[0m\u{7f}""#);
    }
}
