//! The open enums: every schema the spec marks `x-wpe-open-enum` (values
//! WP Engine may extend) becomes an `open_enum!` invocation (see
//! `src/open_enum.rs`), its docs from the schema's `description` and each
//! value's from `x-wpe-enum-descriptions`. Writes `open_enums.rs` into
//! `OUT_DIR`; a release that adds a state enum needs no Rust.

use crate::marked::docs;
use heck::ToUpperCamelCase;
use serde_json::Value;
use std::fmt::Write as _;

/// The names of the open enums of `spec`, in the spec's order.
pub fn names(spec: &Value) -> Vec<&str> {
    schemas(spec).map(|(name, _)| name).collect()
}

fn schemas(spec: &Value) -> impl Iterator<Item = (&str, &Value)> {
    crate::marked::schemas(spec, "x-wpe-open-enum")
}

/// A Rust variant name for a wire value: `in_progress` -> `InProgress`,
/// `TXT_VERIFIED` -> `TxtVerified`, `query arg` -> `QueryArg`.
fn variant(value: &str, schema: &str) -> String {
    let name = value.to_upper_camel_case();
    let name = match name.chars().next() {
        Some(c) if c.is_ascii_digit() => format!("V{name}"),
        Some(_) => name,
        None => panic!("{schema}: an empty enum value has no variant name"),
    };
    assert_ne!(
        name, "Other",
        "{schema}: `Other` is the variant of unknown values"
    );
    name
}

/// The `open_enum!` invocations of every open enum of `spec`.
pub fn write(spec: &Value, out: &std::path::Path) {
    let mut code = String::new();
    for (name, schema) in schemas(spec) {
        let values = schema["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: an x-wpe-open-enum schema needs `enum`"));
        let described = &schema["x-wpe-enum-descriptions"];
        let description = schema["description"].as_str().unwrap_or(name);
        let _ = write!(
            code,
            "open_enum! {{\n{}    {name} {{\n",
            docs(description, "    ")
        );
        let mut seen = std::collections::BTreeSet::new();
        for value in values {
            let value = value
                .as_str()
                .unwrap_or_else(|| panic!("{name}: open enum values are strings, not {value}"));
            let variant = variant(value, name);
            assert!(
                seen.insert(variant.clone()),
                "{name}: two values make the variant {variant}"
            );
            let doc = described[value]
                .as_str()
                .map_or_else(|| format!("The value `{value}`."), str::to_owned);
            let _ = writeln!(
                code,
                "{}        {variant} = {value:?},",
                docs(&doc, "        ")
            );
        }
        code += "    }\n}\n\n";
    }
    code += "/// Every open enum's name and known values, as generated.\n#[cfg(test)]\npub(crate) const ALL: &[(&str, &[&str])] = &[\n";
    for (name, _) in schemas(spec) {
        let _ = writeln!(code, "    ({name:?}, {name}::KNOWN),");
    }
    code += "];\n";
    std::fs::write(out.join("open_enums.rs"), code).expect("write open_enums.rs");
}
