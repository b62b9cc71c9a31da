//! Generates the typed client from `spec/openapi.json` with progenitor.
//!
//! Every generator setting lives here. Schemas the spec marks
//! `x-wpe-open-enum` (values WP Engine may extend) and the bounded page sizes
//! are replaced by hand-written types from `src/open_enum.rs` and
//! `src/bounded.rs`. The client carries `crate::retry::Shared` and its
//! `exec` hook is hand-written (`src/retry.rs`). Beside the client, a table of
//! every operation (id, method, path template) is written for tracing.

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};

fn main() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/openapi.json");
    println!("cargo:rerun-if-changed={}", src.display());
    let text = std::fs::read_to_string(&src).expect("read spec/openapi.json");
    let raw: serde_json::Value = serde_json::from_str(&text).expect("spec/openapi.json is JSON");
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(raw.clone()).expect("spec is OpenAPI 3.0");

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
    let file = syn::parse2(tokens).expect("generated code parses");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("codegen.rs"), prettyplease::unparse(&file)).expect("write codegen.rs");

    let mut table = String::from("&[\n");
    for (path, item) in raw["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().expect("operationId");
            let snake = heck::ToSnakeCase::to_snake_case(id);
            let method = method.to_uppercase();
            table += &format!("    Operation {{ id: {snake:?}, operation_id: {id:?}, method: {method:?}, path: {path:?} }},\n");
        }
    }
    std::fs::write(out.join("operations.rs"), table + "]\n").expect("write operations.rs");
}
