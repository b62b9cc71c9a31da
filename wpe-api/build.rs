//! Generates the typed client from `spec/openapi.json` with progenitor.
//!
//! Every generator setting lives here. Schemas the spec marks
//! `x-wpe-open-enum` (values WP Engine may extend) are replaced by the enums
//! `build/open_enums.rs` writes from the spec (`src/open_enum.rs` includes
//! them), schemas marked `x-wpe-secret` (passwords, keys) by the redacting types
//! `build/secrets.rs` writes (`src/secret.rs`), the bounded page sizes by
//! the hand-written types of
//! `src/bounded.rs`, and `createBulkDomains`' answer by the type of
//! `src/bulk_domains.rs`, which reads both shapes servers send. A nullable
//! property the spec requires is sent as `null` when it has no value and
//! still decodes, as `None`, when a body leaves it out. The client carries
//! `crate::retry::Shared` and its `exec` hook is hand-written
//! (`src/retry.rs`). `build/adapt.rs` holds what the build changes in
//! progenitor's input and output: every call ends in the crate's own error
//! type (`src/error.rs`), no `api-version` header, the lenient required
//! nullable fields. Beside the client,
//! `build/table.rs` writes the table of per-operation facts (the `x-wpe-*`
//! extensions of the spec) that the retry hook, the page streams and the
//! stand-in read; `build/behaviours.rs` checks the documented behaviours
//! (`x-wpe-behaviours`), puts them in that table and in each method's docs.

#[path = "build/adapt.rs"]
mod adapt;
#[path = "build/behaviours.rs"]
mod behaviours;
#[path = "build/marked.rs"]
mod marked;
#[path = "build/open_enums.rs"]
mod open_enums;
#[path = "build/secrets.rs"]
mod secrets;
#[path = "build/table.rs"]
mod table;
#[path = "build/whole.rs"]
mod whole;

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};

fn main() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/openapi.json");
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed=build/table.rs");
    println!("cargo:rerun-if-changed=build/adapt.rs");
    println!("cargo:rerun-if-changed=build/open_enums.rs");
    println!("cargo:rerun-if-changed=build/secrets.rs");
    println!("cargo:rerun-if-changed=build/marked.rs");
    println!("cargo:rerun-if-changed=build/behaviours.rs");
    println!("cargo:rerun-if-changed=build/whole.rs");
    // The stand-in's modules: which operations have a handler (build/table.rs).
    println!("cargo:rerun-if-changed=src/fake");
    let text = std::fs::read_to_string(&src).expect("read spec/openapi.json");
    let raw: serde_json::Value = serde_json::from_str(&text).expect("spec/openapi.json is JSON");
    let mut for_progenitor = raw.clone();
    adapt::without_error_responses(&mut for_progenitor);
    behaviours::document(&mut for_progenitor);
    let kept = whole::keep_unknown_fields(&mut for_progenitor);
    assert!(
        kept.marked > 0,
        "no answer schema was marked to keep unknown fields"
    );
    let required_nullable = adapt::required_nullable(&for_progenitor);
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(for_progenitor).expect("spec is OpenAPI 3.0");

    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
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
    // The JsonSchema derive is optional: most users never ask for a schema, and
    // every type paying for it was a measurable share of the crate's build.
    if std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some() {
        settings.with_derive("schemars::JsonSchema");
    }
    for name in open_enums::names(&raw) {
        let impls = [TypeImpl::Display, TypeImpl::FromStr].into_iter();
        settings.with_replacement(name, format!("crate::open_enum::{name}"), impls);
    }
    for name in secrets::names(&raw) {
        let impls = [TypeImpl::FromStr].into_iter();
        settings.with_replacement(name, format!("crate::secret::{name}"), impls);
    }

    let mut generator = Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .expect("progenitor accepts the spec");
    let mut file = syn::parse2(tokens).expect("generated code parses");
    adapt::adapt(&mut file, &raw, required_nullable);
    let empties = whole::write_back_empty(&mut file.items, &kept.shared);
    assert!(empties > 0, "no answer's empty list or map is written back");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("codegen.rs"), prettyplease::unparse(&file)).expect("write codegen.rs");

    open_enums::write(&raw, &out);
    secrets::write(&raw, &out);
    table::write(&raw, &out);
}
