//! What the build changes in progenitor's input and output.
//!
//! - **Input:** the error responses (4xx, 5xx, `4XX`, `5XX`) are taken out of
//!   the copy of the spec handed to progenitor. Its code then hands every
//!   error answer over undecoded (`UnexpectedResponse`), whatever its body:
//!   the API's JSON, a gateway's HTML page, an empty body, `problem+json`.
//!   `crate::error::finish` reads it, keeps its status and decodes the API's
//!   error body when there is one. The spec itself still documents them.
//! - **Output:** each builder's `send` returns `crate::Error`: its generated
//!   body runs as it is and `crate::error::finish` converts the result.
//! - **Output:** a setter of a builder that cannot take its value says
//!   which parameter, the value (as `crate::refused::Shown` quotes it: cut
//!   short, control characters escaped) and what it expects
//!   (`install_id: "torquemag" is not a UUID (expected the form ...)`)
//!   instead of progenitor's ``conversion to `:: uuid :: Uuid` for
//!   install_id failed``. The setter renders its value before converting
//!   it, so it takes a `Debug` value; no parameter is a secret (the build
//!   checks), so no secret is ever quoted.
//! - **Output:** typify's body builders say that a field is a field of
//!   the request body, by its JSON name and its path in nested objects
//!   (``the request body's field `user.email` is required (no value
//!   supplied)``), instead of `no value supplied for email`; a value a body
//!   field refuses is named by the field and why, never quoted (a body may
//!   hold a secret).
//! - **Output:** the `api-version` request header progenitor adds (the
//!   spec's `info.version`) is not sent: WP Engine documents no such header.
//! - **Output:** a property the spec marks required and nullable is sent as
//!   `null` when it has no value (upstream wants it present) and decodes as
//!   `None` when a body leaves it out (the live API and the docs' examples
//!   do): typify's `deserialize_with = "Option::deserialize"` becomes
//!   `serde(default)`.
//! - **Output:** typify's builders (`types::builder::X`, `X::builder()`) are
//!   kept for the schemas a request body can hold, the ones `body_map`
//!   hands out, and dropped for the schemas only answers use: their fields
//!   are public, nobody sends them, and they were a third of the crate's
//!   generated code, compiled in every user's build.
//! - **Output:** with the `schemars` feature, a string newtype typify makes
//!   of a schema with `minLength`, `maxLength` or `pattern` (an install
//!   name, an SFTP user's name) keeps them in its JSON Schema: typify checks them in `FromStr`
//!   but derives the schema of a bare string.

use serde_json::Value;

/// Removes every non-2xx response from the operations of `spec`.
pub fn without_error_responses(spec: &mut Value) {
    for operation in crate::marked::operations_mut(spec) {
        let responses = operation["responses"].as_object_mut().expect("responses");
        responses.retain(|status, _| status.starts_with('2'));
    }
}

/// Rewrites the generated code (see the module docs); `spec` is the spec
/// as written, error responses included.
/// `expected` is how many required nullable properties the copy progenitor
/// read has (`build/whole.rs` adds some to the spec's own).
pub fn adapt(file: &mut syn::File, spec: &Value, expected: usize) {
    adapt_sends(file);
    page_fields_visible(file);
    explain_setters(file);
    explain_body_builders(file);
    without_answer_builders(file, spec);
    string_bounds_in_json_schemas(file, spec);
    let rewritten = lenient_required_nullable(&mut file.items);
    assert_eq!(
        rewritten, expected,
        "the spec has {expected} required nullable properties; {rewritten} generated fields were made lenient",
    );
}

/// Gives each string newtype that derives `JsonSchema` the length bounds
/// and pattern of its component schema, as schemars attributes on its
/// field (see the module docs); nothing without the derive.
fn string_bounds_in_json_schemas(file: &mut syn::File, spec: &Value) {
    use heck::ToUpperCamelCase;
    let schemas = spec["components"]["schemas"]
        .as_object()
        .expect("components.schemas");
    let is_bounded = |schema: &Value| {
        schema["type"] == "string"
            && ["minLength", "maxLength", "pattern"]
                .iter()
                .any(|key| schema.get(*key).is_some())
    };
    // A component schema, and an inline property typify names after its
    // parent and itself (`CreateSftpUserRequest.name`: `CreateSftpUserRequestName`).
    let mut bounded = std::collections::BTreeMap::new();
    for (name, schema) in schemas {
        if is_bounded(schema) {
            bounded.insert(name.to_upper_camel_case(), schema);
        }
        for (property, inner) in schema["properties"].as_object().into_iter().flatten() {
            if is_bounded(inner) {
                let newtype = format!(
                    "{}{}",
                    name.to_upper_camel_case(),
                    property.to_upper_camel_case()
                );
                bounded.insert(newtype, inner);
            }
        }
    }
    for item in module_items(&mut file.items, "types") {
        let syn::Item::Struct(newtype) = item else {
            continue;
        };
        let Some(schema) = bounded.get(&newtype.ident.to_string()) else {
            continue;
        };
        let derives_schema = newtype.attrs.iter().any(|attr| {
            attr.path().is_ident("derive") && quote_tokens(&attr.meta).contains("JsonSchema")
        });
        let syn::Fields::Unnamed(fields) = &mut newtype.fields else {
            continue;
        };
        if !derives_schema || fields.unnamed.len() != 1 {
            continue;
        }
        let mut bounds = Vec::new();
        let length: Vec<String> = [("min", "minLength"), ("max", "maxLength")]
            .iter()
            .filter_map(|(arg, key)| schema[*key].as_u64().map(|n| format!("{arg} = {n}")))
            .collect();
        if !length.is_empty() {
            bounds.push(format!("length({})", length.join(", ")));
        }
        if let Some(pattern) = schema["pattern"].as_str() {
            bounds.push(format!("pattern({pattern:?})"));
        }
        let attr: syn::Attribute = syn::parse_str::<syn::DeriveInput>(&format!(
            "#[schemars({})] struct S;",
            bounds.join(", ")
        ))
        .expect("a schemars attribute parses")
        .attrs
        .remove(0);
        fields.unnamed[0].attrs.push(attr);
    }
}

/// Drops typify's builder, and `X::builder()`, of every component schema
/// no request can hold (see the module docs).
fn without_answer_builders(file: &mut syn::File, spec: &Value) {
    let keep = crate::marked::request_schemas(spec);
    let answers_only: std::collections::BTreeSet<String> = spec["components"]["schemas"]
        .as_object()
        .expect("components.schemas")
        .keys()
        .filter(|name| !keep.contains(*name))
        .cloned()
        .collect();
    // The type an item is about: `X` in `struct X`, `impl X`, `impl .. for X`,
    // `impl .. for super::X`.
    fn subject(item: &syn::Item) -> Option<String> {
        match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Impl(block) => match block.self_ty.as_ref() {
                syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            },
            _ => None,
        }
    }
    let types = module_items(&mut file.items, "types");
    let builders = module_items(types, "builder");
    let before = builders.len();
    builders.retain(|item| !subject(item).is_some_and(|name| answers_only.contains(&name)));
    let dropped = before - builders.len();
    // `impl X { pub fn builder() -> builder::X }`, where X lost its builder.
    types.retain(|item| {
        let syn::Item::Impl(block) = item else {
            return true;
        };
        let only_builder = block.trait_.is_none()
            && block.items.len() == 1
            && matches!(&block.items[0], syn::ImplItem::Fn(f) if f.sig.ident == "builder");
        !(only_builder && subject(item).is_some_and(|name| answers_only.contains(&name)))
    });
    assert!(dropped > 0, "no answer-only builder found to drop");
}

/// Makes the `limit` and `offset` fields of every builder `pub(crate)`, so
/// that a page stream (`src/paginate.rs`) walks a list from the builder's
/// `offset`, with its `limit` as the page size.
fn page_fields_visible(file: &mut syn::File) {
    let mut fields = 0;
    for item in module_items(&mut file.items, "builder") {
        let syn::Item::Struct(builder) = item else {
            continue;
        };
        for field in builder.fields.iter_mut() {
            if field
                .ident
                .as_ref()
                .is_some_and(|name| name == "limit" || name == "offset")
            {
                field.vis = syn::parse_quote!(pub(crate));
                fields += 1;
            }
        }
    }
    assert!(
        fields > 0,
        "no builder with a `limit` or `offset` field found"
    );
}

/// The items of the generated module `name` among `items`.
fn module_items<'a>(items: &'a mut [syn::Item], name: &str) -> &'a mut Vec<syn::Item> {
    items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == name => module.content.as_mut(),
            _ => None,
        })
        .map(|(_, items)| items)
        .unwrap_or_else(|| panic!("the generated `{name}` module"))
}

/// Makes every builder's `send` return `crate::Error`, without `api-version`.
fn adapt_sends(file: &mut syn::File) {
    let builders = module_items(&mut file.items, "builder");
    let mut sends = 0;
    for item in builders {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        for member in &mut block.items {
            if let syn::ImplItem::Fn(method) = member {
                if method.sig.ident == "send" {
                    adapt_send(method);
                    sends += 1;
                }
            }
        }
    }
    assert!(sends > 0, "no generated `send` method found");
}

/// Makes every parameter setter of the builders name the parameter, the
/// value and the form it expects when it refuses a value (see the module
/// docs). The `body` setter, whose value is a whole body, keeps its message.
fn explain_setters(file: &mut syn::File) {
    let builders = module_items(&mut file.items, "builder");
    let mut explained = 0;
    for item in builders {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        for member in &mut block.items {
            let syn::ImplItem::Fn(method) = member else {
                continue;
            };
            if method.sig.ident != "body" && mentions_block(&method.block, "\"conversion to `") {
                explain_setter(method);
                explained += 1;
            }
        }
    }
    assert!(explained > 0, "no generated parameter setter found");
}

/// `fn x<V>(mut self, value: V) -> Self where V: TryInto<T> { self.x =
/// value.try_into()[.map(Some)].map_err(|_| "conversion ...".to_string()); self }`
/// becomes a setter that renders `value` first and says what is wrong.
fn explain_setter(method: &mut syn::ImplItemFn) {
    let param = method.sig.ident.to_string();
    let target = setter_target(&method.sig.generics)
        .unwrap_or_else(|| panic!("setter `{param}` takes `V: TryInto<T>`"));
    let target_text: String = quote_tokens(&target)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        !target_text.contains("secret::"),
        "parameter `{param}` is a secret: its setter must not quote its value"
    );
    let (closure, needs_display): (syn::Expr, bool) = if target_text == "::uuid::Uuid" {
        (syn::parse_quote!(|_| shown.not_a_uuid(#param)), false)
    } else if target_text.ends_with("NaiveDate") {
        (syn::parse_quote!(|_| shown.not_a_date(#param)), false)
    } else {
        (syn::parse_quote!(|e| shown.not_accepted(#param, e)), true)
    };
    let where_clause = method.sig.generics.make_where_clause();
    where_clause
        .predicates
        .push(syn::parse_quote!(V: ::std::fmt::Debug));
    if needs_display {
        where_clause.predicates.push(syn::parse_quote!(
            <V as ::std::convert::TryInto<#target>>::Error: ::std::fmt::Display
        ));
    }
    let assign = method
        .block
        .stmts
        .iter_mut()
        .find_map(|stmt| match stmt {
            syn::Stmt::Expr(syn::Expr::Assign(assign), _) => Some(assign),
            _ => None,
        })
        .unwrap_or_else(|| panic!("setter `{param}` assigns its field"));
    let replaced = replace_map_err(&mut assign.right, closure);
    assert!(replaced, "setter `{param}` converts with `map_err`");
    method.block.stmts.insert(
        0,
        syn::parse_quote!(let shown = crate::refused::Shown::of(&value);),
    );
}

/// Rewrites the messages of typify's body builders (see the module docs):
/// in each `impl Default`, a required field starts as
/// `Err(crate::refused::body_field_missing("json_name"))`; in each setter, a
/// refused value is `crate::refused::body_field_refused("json_name", e)`.
/// `extra` is left to `build/whole.rs`, which starts it empty.
fn explain_body_builders(file: &mut syn::File) {
    let types = module_items(&mut file.items, "types");
    let json_names = json_field_names(types);
    let builders = module_items(types, "builder");
    let (mut missing, mut refused) = (0, 0);
    for item in builders {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let syn::Type::Path(self_ty) = block.self_ty.as_ref() else {
            continue;
        };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        let json = |field: &str| -> String {
            json_names
                .get(&(name.clone(), field.to_owned()))
                .cloned()
                .unwrap_or_else(|| field.to_owned())
        };
        let is_default = block
            .trait_
            .as_ref()
            .is_some_and(|(path, _)| path.segments.last().is_some_and(|s| s.ident == "Default"));
        for member in &mut block.items {
            let syn::ImplItem::Fn(method) = member else {
                continue;
            };
            if is_default {
                missing += unset_fields_say_missing(method, &json);
            } else if block.trait_.is_none() {
                refused += setter_says_refused(method, &json);
            }
        }
    }
    assert!(missing > 0, "no body builder field starts unset");
    assert!(refused > 0, "no body builder setter found");
}

/// The JSON name of every field of the structs of `types` whose serde
/// name differs from the field's, by (struct, field).
fn json_field_names(types: &[syn::Item]) -> std::collections::BTreeMap<(String, String), String> {
    let mut names = std::collections::BTreeMap::new();
    for item in types {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        for field in &item.fields {
            let Some(ident) = &field.ident else { continue };
            let renamed = field.attrs.iter().find_map(|attr| {
                let args = serde_args(attr)?;
                let start = args.find("rename=\"")? + "rename=\"".len();
                let end = args[start..].find('"')? + start;
                Some(args[start..end].to_owned())
            });
            if let Some(json) = renamed {
                names.insert((item.ident.to_string(), ident.to_string()), json);
            }
        }
    }
    names
}

/// In typify's `fn default() -> Self { Self { field: Err("no value
/// supplied for field".to_string()), .. } }`, the unset fields' messages;
/// how many it rewrote.
fn unset_fields_say_missing(method: &mut syn::ImplItemFn, json: &dyn Fn(&str) -> String) -> usize {
    let mut rewritten = 0;
    for stmt in &mut method.block.stmts {
        let syn::Stmt::Expr(syn::Expr::Struct(init), None) = stmt else {
            continue;
        };
        for field in &mut init.fields {
            let syn::Member::Named(ident) = &field.member else {
                continue;
            };
            let unset = format!("\"no value supplied for {ident}\"");
            if ident == "extra" || !quote_tokens(&field.expr).contains(&unset) {
                continue;
            }
            let name = json(&ident.to_string());
            field.expr = syn::parse_quote!(Err(crate::refused::body_field_missing(#name)));
            rewritten += 1;
        }
    }
    rewritten
}

/// In typify's setter `self.field = value.try_into().map_err(|e|
/// format!("error converting supplied value for field: {e}"))`, the
/// message; 1 if it rewrote it.
fn setter_says_refused(method: &mut syn::ImplItemFn, json: &dyn Fn(&str) -> String) -> usize {
    let ident = method.sig.ident.to_string();
    if !mentions_block(
        &method.block,
        &format!("error converting supplied value for {ident}"),
    ) {
        return 0;
    }
    let name = json(&ident);
    let assign = method.block.stmts.iter_mut().find_map(|stmt| match stmt {
        syn::Stmt::Expr(syn::Expr::Assign(assign), _) => Some(assign),
        _ => None,
    });
    let closure = syn::parse_quote!(|e| crate::refused::body_field_refused(#name, e));
    let replaced = assign.is_some_and(|assign| replace_map_err(&mut assign.right, closure));
    assert!(
        replaced,
        "body builder setter `{ident}` converts with `map_err`"
    );
    1
}

/// `T` of the setter's bound `V: TryInto<T>`.
fn setter_target(generics: &syn::Generics) -> Option<syn::Type> {
    let predicates = generics.where_clause.as_ref()?.predicates.iter();
    predicates.into_iter().find_map(|predicate| {
        let syn::WherePredicate::Type(bound) = predicate else {
            return None;
        };
        bound.bounds.iter().find_map(|bound| {
            let syn::TypeParamBound::Trait(bound) = bound else {
                return None;
            };
            let last = bound.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                syn::GenericArgument::Type(target) => Some(target.clone()),
                _ => None,
            }
        })
    })
}

/// Replaces the argument of the outermost `.map_err(...)` in a chain of
/// method calls; whether one was found.
fn replace_map_err(expr: &mut syn::Expr, closure: syn::Expr) -> bool {
    let syn::Expr::MethodCall(call) = expr else {
        return false;
    };
    if call.method == "map_err" && call.args.len() == 1 {
        call.args[0] = closure;
        return true;
    }
    replace_map_err(&mut call.receiver, closure)
}

fn mentions_block(block: &syn::Block, needle: &str) -> bool {
    quote_tokens(block).contains(needle)
}

fn adapt_send(method: &mut syn::ImplItemFn) {
    let operation = operation_id(&method.block);
    method
        .block
        .stmts
        .retain(|stmt| !mentions(stmt, "\"api-version\""));
    let success = success_type(&method.sig.output);
    method.sig.output = syn::parse_quote!(-> Result<ResponseValue<#success>, crate::Error>);
    let body = &method.block;
    method.block = syn::parse_quote!({
        let result = async move #body.await;
        crate::error::finish(result, #operation).await
    });
}

/// `T` of `Result<ResponseValue<T>, Error<E>>`.
fn success_type(output: &syn::ReturnType) -> syn::Type {
    let syn::ReturnType::Type(_, ty) = output else {
        panic!("`send` returns nothing");
    };
    let found = (|| {
        let syn::Type::Path(result) = ty.as_ref() else {
            return None;
        };
        let syn::PathArguments::AngleBracketed(args) = &result.path.segments.last()?.arguments
        else {
            return None;
        };
        let Some(syn::GenericArgument::Type(syn::Type::Path(value))) = args.args.first() else {
            return None;
        };
        let syn::PathArguments::AngleBracketed(args) = &value.path.segments.last()?.arguments
        else {
            return None;
        };
        match args.args.first()? {
            syn::GenericArgument::Type(success) => Some(success.clone()),
            _ => None,
        }
    })();
    found.expect("`send` returns Result<ResponseValue<T>, Error<E>>")
}

/// The `operation_id` the generated body puts in its `OperationInfo`.
fn operation_id(body: &syn::Block) -> String {
    let text = quote_tokens(body);
    let start = text
        .find("operation_id : \"")
        .expect("`send` names its operation")
        + "operation_id : \"".len();
    let end = text[start..].find('"').expect("closing quote") + start;
    text[start..end].to_owned()
}

fn mentions(stmt: &syn::Stmt, needle: &str) -> bool {
    quote_tokens(stmt).contains(needle)
}

fn quote_tokens(node: &impl quote::ToTokens) -> String {
    node.to_token_stream().to_string()
}

/// Makes the fields of required nullable properties decode when missing, in
/// every struct and enum variant of `items` and their modules; returns how
/// many fields it rewrote.
///
/// typify generates such a field as an `Option` that is always serialized
/// (`null` for `None`, as upstream wants the property present) and, with
/// `#[serde(deserialize_with = "Option::deserialize")]`, one that fails to
/// decode when the body leaves it out. Bodies from the live API and the
/// docs' examples do leave such properties out, so that attribute becomes
/// `#[serde(default)]`: a missing property decodes as `None`. (A plain walk
/// of the items, not syn's `visit-mut`: that feature would lengthen syn's
/// build, which every user's build waits for.)
fn lenient_required_nullable(items: &mut [syn::Item]) -> usize {
    let mut rewritten = 0;
    for item in items {
        let fields: Vec<&mut syn::Field> = match item {
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = module.content.as_mut() {
                    rewritten += lenient_required_nullable(inner);
                }
                continue;
            }
            syn::Item::Struct(item) => item.fields.iter_mut().collect(),
            syn::Item::Enum(item) => item
                .variants
                .iter_mut()
                .flat_map(|v| v.fields.iter_mut())
                .collect(),
            _ => continue,
        };
        for field in fields {
            rewritten += serde_to_default(
                field,
                &[r#"deserialize_with="::std::option::Option::deserialize""#],
            );
        }
    }
    rewritten
}

/// The arguments of a `#[serde(...)]` attribute, white space removed
/// (`default,skip_serializing_if="..."`); `None` for any other attribute.
pub fn serde_args(attr: &syn::Attribute) -> Option<String> {
    let syn::Meta::List(list) = &attr.meta else {
        return None;
    };
    list.path.is_ident("serde").then(|| {
        list.tokens
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    })
}

/// Makes each `#[serde(...)]` attribute of `field` whose arguments are one
/// of `from` (as [`serde_args`] writes them) `#[serde(default)]`; returns
/// how many it changed.
pub fn serde_to_default(field: &mut syn::Field, from: &[&str]) -> usize {
    let mut rewritten = 0;
    for attr in &mut field.attrs {
        if serde_args(attr).is_some_and(|args| from.contains(&args.as_str())) {
            *attr = syn::parse_quote!(#[serde(default)]);
            rewritten += 1;
        }
    }
    rewritten
}

/// How many properties anywhere in the spec are both required and nullable.
pub fn required_nullable(value: &Value) -> usize {
    match value {
        Value::Object(map) => {
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
                        == Some(&Value::Bool(true))
                })
                .count();
            required + map.values().map(required_nullable).sum::<usize>()
        }
        Value::Array(items) => items.iter().map(required_nullable).sum(),
        _ => 0,
    }
}
