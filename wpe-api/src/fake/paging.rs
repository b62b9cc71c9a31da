//! Paging by `limit` and `offset`, with absolute `next`/`previous` URLs, as the API pages its lists.

use std::fmt::Write as _;

use axum::http::StatusCode;

use super::reply::{field_error, ok, Fail, Reply};
use super::request::Req;

/// The `limit` and `offset` of a request.
pub(crate) struct Page {
    pub(crate) limit: usize,
    pub(crate) offset: usize,
}

/// The `limit` (at most `max`; `max` or 100 when absent) and `offset` of a
/// request; a 400 when either is out of range.
pub(crate) fn page_params(req: &Req<'_>, max: usize) -> Result<Page, Fail> {
    let mut fail = Fail::new(StatusCode::BAD_REQUEST, "Invalid Request");
    let limit = match req.query("limit") {
        None => max.min(100),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n <= max => n,
            _ => {
                fail.errors.push(field_error(
                    "Pagination",
                    "limit",
                    "invalid_value",
                    "out_of_range",
                    &format!("limit must be an integer from 0 to {max}"),
                ));
                0
            }
        },
    };
    let offset = match req.query("offset") {
        None => 0,
        Some(text) => text.parse::<usize>().unwrap_or_else(|_| {
            fail.errors.push(field_error(
                "Pagination",
                "offset",
                "invalid_value",
                "out_of_range",
                "offset must be a non-negative integer",
            ));
            0
        }),
    };
    if fail.errors.is_empty() {
        Ok(Page { limit, offset })
    } else {
        Err(fail)
    }
}

/// A page in the API's shape, with absolute `next`/`previous` URLs.
fn page_body(
    req: &Req<'_>,
    path: &str,
    filter: Option<(&str, String)>,
    page: &Page,
    count: usize,
    results: Vec<Box<serde_json::value::RawValue>>,
) -> PageBody {
    let url = |offset: usize| {
        let mut url = format!("{}/{path}?", req.shared.base_url);
        if let Some((name, value)) = &filter {
            let _ = write!(url, "{name}={value}&");
        }
        let _ = write!(url, "limit={}&offset={offset}", page.limit);
        url
    };
    let next =
        (page.limit > 0 && page.offset + page.limit < count).then(|| url(page.offset + page.limit));
    let previous =
        (page.limit > 0 && page.offset > 0).then(|| url(page.offset.saturating_sub(page.limit)));
    PageBody {
        previous,
        next,
        count,
        results,
    }
}

/// A page in the API's shape; its rows are serialized once, straight from
/// the generated types.
#[derive(serde::Serialize)]
struct PageBody {
    previous: Option<String>,
    next: Option<String>,
    count: usize,
    results: Vec<Box<serde_json::value::RawValue>>,
}

/// One page of `rows` in the API's shape, with links to `path` (and its filter).
pub(crate) fn paginate<'a, T: 'a, S: serde::Serialize>(
    req: &Req<'_>,
    path: &str,
    filter: Option<(&str, String)>,
    rows: impl Iterator<Item = &'a T>,
    to_json: impl Fn(&T) -> S,
) -> Result<Reply, Fail> {
    let page = page_params(req, 100)?;
    let mut count = 0;
    let mut results = Vec::new();
    for row in rows {
        if count >= page.offset && results.len() < page.limit {
            results.push(serde_json::value::to_raw_value(&to_json(row)).expect("rows serialize"));
        }
        count += 1;
    }
    ok(page_body(req, path, filter, &page, count, results))
}
