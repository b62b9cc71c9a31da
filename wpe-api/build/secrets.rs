//! The secret strings: every schema the spec marks `x-wpe-secret` (a
//! password, a private key) becomes a `secret_string!` invocation (see
//! `src/secret.rs`) with the schema's `minLength`/`maxLength`, and replaces
//! the schema in the generated client. Writes `secrets.rs` into `OUT_DIR`.

use serde_json::Value;
use std::fmt::Write as _;

/// The names of the secret schemas of `spec`, in the spec's order.
pub fn names(spec: &Value) -> Vec<&str> {
    schemas(spec).map(|(name, _)| name).collect()
}

fn schemas(spec: &Value) -> impl Iterator<Item = (&str, &Value)> {
    crate::marked::schemas(spec, "x-wpe-secret")
}

/// The `secret_string!` invocations of every secret schema of `spec`.
pub fn write(spec: &Value, out: &std::path::Path) {
    let mut code = String::new();
    for (name, schema) in schemas(spec) {
        assert_eq!(
            schema["type"], "string",
            "{name}: an x-wpe-secret schema is a string"
        );
        let bound = |key: &str| match schema.get(key) {
            None => "None".to_owned(),
            Some(v) => format!(
                "Some({})",
                v.as_u64()
                    .unwrap_or_else(|| panic!("{name}: {key} is a count"))
            ),
        };
        let description = schema["description"].as_str().unwrap_or(name);
        let docs = crate::marked::docs(description, "    ");
        let _ = writeln!(
            code,
            "secret_string! {{\n{docs}    {name} {{ min: {}, max: {} }}\n}}\n",
            bound("minLength"),
            bound("maxLength")
        );
    }
    std::fs::write(out.join("secrets.rs"), code).expect("write secrets.rs");
}
