//! The bounds `wpe mcp` keeps on what an agent sends it and on how much of
//! that it ever repeats back: an agent is an untrusted caller.
//!
//! - Every text property of an input schema has a `maxLength`: upstream's
//!   where it states one, otherwise [`MAX_NAME`] for names, IDs, domains,
//!   addresses and keys, and [`MAX_TEXT`] for free text.
//! - An error quotes at most [`MAX_QUOTE`] characters of a value ([`quote`]).
//! - A workflow answers at most [`MAX_ROWS`] rows at once ([`DEFAULT_ROWS`]
//!   unless told), and a cursor to the rest.
//! - `fleet_query` answers at most [`MAX_ROWS`] rows, each value cut past
//!   [`MAX_CELL`] characters and [`MAX_ANSWER_BYTES`] in all, and stops a
//!   statement that runs past its budget ([`QUERY_BUDGET_SECONDS`]).

/// The longest name, ID, domain, e-mail address or other short text an
/// argument may be, where upstream states no bound (a domain name is at
/// most 253 characters).
pub const MAX_NAME: u64 = 255;

/// The longest free text an argument may be (a backup's description, an
/// SSH public key), where upstream states no bound.
pub const MAX_TEXT: u64 = 16_384;

/// The most characters of a value an error message quotes.
pub const MAX_QUOTE: usize = 40;

/// The most rows (inventory rows, audit findings) a workflow tool answers
/// at once; `next_cursor` leads to the rest.
pub const MAX_ROWS: u64 = 1000;

/// The rows a workflow tool answers unless its `limit` says otherwise.
pub const DEFAULT_ROWS: u32 = 100;

/// The most characters of one value `fleet_query` answers whole; a longer
/// text (or a blob's hex) is cut, with its length said.
pub const MAX_CELL: usize = 2_000;

/// The most bytes of values `fleet_query` answers at once (an answer is
/// sent twice, as structured content and as text); past them it takes no
/// more rows and says `truncated`.
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// How long a `fleet_query` statement may run unless `wpe mcp
/// --query-budget` says otherwise, in seconds.
pub const QUERY_BUDGET_SECONDS: u64 = 10;

/// [`DEFAULT_ROWS`], as serde's default for a workflow's `limit`.
pub fn default_rows() -> u32 {
    DEFAULT_ROWS
}

/// `value` as an error quotes it: whole when short, otherwise its first
/// [`MAX_QUOTE`] characters, an ellipsis and its length.
///
/// ```text
/// quote("torquemag")       -> `torquemag`
/// quote(&"x".repeat(10^6)) -> `xxxx…` (1000000 characters)
/// ```
pub fn quote(value: &str) -> String {
    match value.char_indices().nth(MAX_QUOTE) {
        None => format!("`{value}`"),
        Some((end, _)) => format!(
            "`{}…` ({} characters)",
            &value[..end],
            value.chars().count()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_value_is_quoted_by_a_short_prefix_and_its_length() {
        assert_eq!(quote("torquemag"), "`torquemag`");
        let long = "é".repeat(1_000_000);
        let quoted = quote(&long);
        assert!(quoted.len() < 120, "{quoted}");
        assert!(quoted.ends_with("(1000000 characters)"), "{quoted}");
        assert_eq!(
            quote(&"x".repeat(MAX_QUOTE)),
            format!("`{}`", "x".repeat(MAX_QUOTE))
        );
    }
}
