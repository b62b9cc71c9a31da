//! Generates the typed client from `spec/openapi.json` with progenitor.
//!
//! Every generator setting lives here. Schemas the spec marks
//! `x-wpe-open-enum` (values WP Engine may extend) and the bounded page sizes
//! are replaced by hand-written types from `src/open_enum.rs` and
//! `src/bounded.rs`, and `createBulkDomains`' answer by the type of
//! `src/bulk_domains.rs`, which reads both shapes servers send. A nullable
//! property the spec requires is sent as `null` when it has no value and
//! still decodes, as `None`, when a body leaves it out (see
//! [`LenientRequiredNullable`]). The client carries `crate::retry::Shared`
//! and its `exec` hook is hand-written (`src/retry.rs`). `build/client.rs`
//! makes every call end in the crate's own error type (`src/error.rs`) and
//! leaves out the `api-version` header. Beside the client,
//! `build/table.rs` writes the table of per-operation facts (the `x-wpe-*`
//! extensions of the spec) that the retry hook, the page streams and the
//! stand-in read.

#[path = "build/client.rs"]
mod client;
#[path = "build/table.rs"]
mod table;

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
use syn::visit_mut::VisitMut;

fn main() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/openapi.json");
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed=build/table.rs");
    println!("cargo:rerun-if-changed=build/client.rs");
    let text = std::fs::read_to_string(&src).expect("read spec/openapi.json");
    let raw: serde_json::Value = serde_json::from_str(&text).expect("spec/openapi.json is JSON");
    let mut for_progenitor = raw.clone();
    client::without_error_responses(&mut for_progenitor);
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(for_progenitor).expect("spec is OpenAPI 3.0");

    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("schemars::JsonSchema")
        .with_inner_type("crate::retry::Shared".parse().expect("inner type path"))
        .with_hooks(progenitor::HooksMode::Expected)
        .with_replacement("PageLimit", "crate::bounded::PageLimit", std::iter::empty())
        .with_replacement(
            "UsageLimit",
            "crate::bounded::UsageLimit",
            std::iter::empty(),
        )
        .with_replacement(
            "BulkDomainsResult",
            "crate::bulk_domains::BulkDomainsResult",
            std::iter::empty(),
        );
    for (name, schema) in raw["components"]["schemas"].as_object().expect("schemas") {
        if schema.get("x-wpe-open-enum").is_some() {
            let impls = [TypeImpl::Display, TypeImpl::FromStr].into_iter();
            settings.with_replacement(name, format!("crate::open_enum::{name}"), impls);
        }
    }

    let mut generator = Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .expect("progenitor accepts the spec");
    let mut file = syn::parse2(tokens).expect("generated code parses");
    client::adapt(&mut file);
    let mut lenient = LenientRequiredNullable::default();
    lenient.visit_file_mut(&mut file);
    let expected = required_nullable(&raw);
    assert_eq!(
        lenient.rewritten, expected,
        "the spec has {expected} required nullable properties; {} generated fields were made lenient",
        lenient.rewritten
    );
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("codegen.rs"), prettyplease::unparse(&file)).expect("write codegen.rs");

    table::write(&raw, &out);
}

/// Makes the fields of required nullable properties decode when missing.
///
/// typify generates such a field as an `Option` that is always serialized
/// (`null` for `None`, as upstream wants the property present) and, with
/// `#[serde(deserialize_with = "Option::deserialize")]`, one that fails to
/// decode when the body leaves it out. Bodies from the live API and the
/// docs' examples do leave such properties out, so that attribute becomes
/// `#[serde(default)]`: a missing property decodes as `None`.
#[derive(Default)]
struct LenientRequiredNullable {
    rewritten: usize,
}

impl VisitMut for LenientRequiredNullable {
    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        for attr in &mut field.attrs {
            let syn::Meta::List(list) = &attr.meta else {
                continue;
            };
            let tokens: String = list
                .tokens
                .to_string()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if list.path.is_ident("serde")
                && tokens == r#"deserialize_with="::std::option::Option::deserialize""#
            {
                *attr = syn::parse_quote!(#[serde(default)]);
                self.rewritten += 1;
            }
        }
        syn::visit_mut::visit_field_mut(self, field);
    }
}

/// How many properties anywhere in the spec are both required and nullable.
fn required_nullable(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::Object(map) => {
            let required = map
                .get("required")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str())
                .filter(|name| {
                    map.get("properties")
                        .and_then(|p| p.get(name))
                        .and_then(|p| p.get("nullable"))
                        == Some(&serde_json::Value::Bool(true))
                })
                .count();
            required + map.values().map(required_nullable).sum::<usize>()
        }
        serde_json::Value::Array(items) => items.iter().map(required_nullable).sum(),
        _ => 0,
    }
}
