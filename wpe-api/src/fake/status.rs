//! The operations that need no credentials: the API status and its document.

use serde_json::{json, Value};

use super::reply::{ok, Fail, Reply};
use super::request::Req;
use super::state::State;

/// `GET /status`: the API is up.
pub(crate) fn status(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    ok(json!({ "success": true, "created_on": state.wall(req.now).to_rfc3339() }))
}

/// `GET /swagger`: a stub of the API document.
pub(crate) fn swagger(_state: &mut State, _req: &Req<'_>) -> Result<Reply, Fail> {
    ok(swagger_document())
}

fn swagger_document() -> Value {
    json!({
        "swagger": "2.0",
        "info": {
            "title": "WP Engine API (local stand-in)",
            "version": "1.21.2",
            "description": "Served by wpe_api::fake; the real document lives at the production API."
        },
        "host": "127.0.0.1",
        "basePath": "/v1",
        "schemes": ["http"],
        "paths": {}
    })
}
