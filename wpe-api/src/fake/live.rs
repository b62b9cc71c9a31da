//! The live API's shapes ([`Shapes::Live`](super::Shapes::Live)): the
//! stand-in's success bodies rewritten the way WP Engine's servers were
//! recorded answering (`../shared/real-responses`, 2021), where that differs
//! from upstream's document.

use serde_json::{Map, Value};

/// Rewrites the body of a success of `operation_id` into the live shape;
/// bodies of other operations are left as they are.
pub(crate) fn reshape(operation_id: &str, body: &mut String) {
    let rewrite: fn(&mut Map<String, Value>, bool) = match operation_id {
        "listDomains" | "getDomain" | "createDomain" | "updateDomain" => domain,
        "listInstalls" | "getInstall" | "createInstall" | "updateInstall" => install,
        "listAccounts" | "getAccount" => account,
        _ => return,
    };
    let Ok(mut value) = serde_json::from_str::<Value>(body) else {
        return;
    };
    match value.get_mut("results").and_then(Value::as_array_mut) {
        Some(results) => results
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .for_each(|item| rewrite(item, true)),
        None => {
            if let Some(item) = value.as_object_mut() {
                rewrite(item, false);
            }
        }
    }
    *body = value.to_string();
}

/// A domain names its redirect in `redirect_to`, one reference (`{}` for
/// none), instead of the document's `redirects_to` list, and has no
/// `secure_all_urls`.
fn domain(domain: &mut Map<String, Value>, _in_list: bool) {
    let target = domain
        .remove("redirects_to")
        .and_then(|list| list.as_array().and_then(|l| l.first().cloned()))
        .unwrap_or_else(|| Value::Object(Map::new()));
    domain.insert("redirect_to".into(), target);
    domain.remove("secure_all_urls");
}

/// An install always has `stable_ips` (`null` without them); a list's
/// entries have no `created_at`, `wp_version` or
/// `defer_wordpress_upgrades_until`.
fn install(install: &mut Map<String, Value>, in_list: bool) {
    install.entry("stable_ips").or_insert(Value::Null);
    if in_list {
        for field in ["created_at", "wp_version", "defer_wordpress_upgrades_until"] {
            install.remove(field);
        }
    }
}

/// An account has only its `id` and `name`.
fn account(account: &mut Map<String, Value>, _in_list: bool) {
    account.remove("nickname");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reshaped(operation_id: &str, body: Value) -> Value {
        let mut text = body.to_string();
        reshape(operation_id, &mut text);
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn a_domain_names_its_redirect_as_the_live_api_did() {
        let page = json!({"count": 2, "results": [
            {"id": "a", "name": "www.example.com", "redirects_to": [{"id": "b", "name": "example.com"}], "secure_all_urls": true},
            {"id": "b", "name": "example.com", "redirects_to": []},
        ]});
        assert_eq!(
            reshaped("listDomains", page)["results"],
            json!([
                {"id": "a", "name": "www.example.com", "redirect_to": {"id": "b", "name": "example.com"}},
                {"id": "b", "name": "example.com", "redirect_to": {}},
            ])
        );
    }

    #[test]
    fn install_lists_lose_what_only_a_single_fetch_has() {
        let entry = json!({"id": "i", "created_at": "2024-01-01T00:00:00Z", "wp_version": null});
        let page = reshaped("listInstalls", json!({"results": [entry.clone()]}));
        assert_eq!(page["results"][0], json!({"id": "i", "stable_ips": null}));
        let single = reshaped("getInstall", entry);
        assert_eq!(single["created_at"], "2024-01-01T00:00:00Z");
        assert_eq!(single["stable_ips"], Value::Null);
    }

    #[test]
    fn other_operations_and_non_json_bodies_are_left_alone() {
        let mut text = r#"{"nickname":"x"}"#.to_owned();
        reshape("getCurrentUser", &mut text);
        assert_eq!(text, r#"{"nickname":"x"}"#);
        let mut text = "not json".to_owned();
        reshape("getAccount", &mut text);
        assert_eq!(text, "not json");
    }
}
