//! Printing answers: a table for people, a Markdown table for documents,
//! JSON, NDJSON or CSV for programs.
//!
//! A list prints item by item as its pages arrive: JSON as one array whose
//! items are written as they come, NDJSON one item per line.
//!
//! A table, CSV or Markdown list whose columns the command does not fix
//! takes them from every item, not only the first: the columns are the union
//! of the items' fields, `name` and `id` first, then the others in the order
//! they first appear. An item without a field prints an empty cell (`-` in
//! a table or Markdown, nothing in CSV). A field that some item carries is a
//! column even when it is null in every item (it prints as empty cells); a
//! field no item carries is no column. Such a list is held until it ends and
//! printed then, so a field that only a later page brings still gets its
//! column. A list with fixed columns (a report's, the inventory's) prints
//! CSV and Markdown rows as they come, and a table in columns sized from its
//! first rows.

use std::io::{self, Write};

use serde_json::Value;

/// How answers are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns (a list) or `key  value` lines (one object).
    Table,
    /// One JSON document: an object, or an array for a list.
    Json,
    /// One JSON document per line: one per item of a list.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
    /// A Markdown (GitHub) pipe table: a list one row per item, one object
    /// as `field | value` rows.
    Markdown,
}

impl Format {
    /// The names `--format` takes.
    pub const NAMES: [&'static str; 5] = ["table", "json", "ndjson", "csv", "markdown"];

    /// The format called `name` (one of [`Format::NAMES`]).
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "table" => Format::Table,
            "json" => Format::Json,
            "ndjson" => Format::Ndjson,
            "csv" => Format::Csv,
            "markdown" => Format::Markdown,
            _ => return None,
        })
    }
}

/// How many rows of a list a table is sized from.
const TABLE_SIZING_ROWS: usize = 100;
/// The widest a table cell gets before it is cut.
const TABLE_CELL_CHARS: usize = 48;

/// The columns a list of rows with `all` columns prints in `format`: a
/// table the first `table` of them (names and states, not the IDs); JSON,
/// NDJSON, CSV and Markdown all of them.
pub fn shown_columns(format: Format, all: &[&str], table: usize) -> Vec<String> {
    let shown = match format {
        Format::Table => &all[..table.min(all.len())],
        _ => all,
    };
    shown.iter().map(|c| (*c).to_owned()).collect()
}

/// Prints one answer that is not a list.
pub fn print_value(out: &mut impl Write, format: Format, value: &Value) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, value)?;
            writeln!(out)
        }
        Format::Ndjson => {
            serde_json::to_writer(&mut *out, value)?;
            writeln!(out)
        }
        Format::Csv => {
            let mut list = ListPrinter::new(out, format);
            list.item(value.clone())?;
            list.finish()
        }
        Format::Table => match value {
            Value::Object(map) => {
                let width = map.keys().map(|k| k.chars().count()).max().unwrap_or(0);
                for (key, value) in map {
                    writeln!(out, "{key:width$}  {}", cell(value, usize::MAX))?;
                }
                Ok(())
            }
            other => writeln!(out, "{}", cell(other, usize::MAX)),
        },
        Format::Markdown => match value {
            Value::Object(map) => {
                let fields: Vec<(&str, Value)> =
                    map.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                markdown_fields(out, &fields)
            }
            other => writeln!(out, "{}", markdown_cell(other)),
        },
    }
}

/// `fields` as a two-column Markdown table.
fn markdown_fields(out: &mut impl Write, fields: &[(&str, Value)]) -> io::Result<()> {
    writeln!(out, "| field | value |")?;
    writeln!(out, "| --- | --- |")?;
    for (key, value) in fields {
        writeln!(
            out,
            "| {} | {} |",
            markdown_cell(&Value::from(*key)),
            markdown_cell(value)
        )?;
    }
    Ok(())
}

/// Prints one record whose fields have a set order (a summary): as aligned
/// `field  value` lines in that order in a table, as a header and one row in
/// CSV, as an object in JSON.
pub fn print_fields(
    out: &mut impl Write,
    format: Format,
    fields: &[(&str, Value)],
) -> io::Result<()> {
    match format {
        Format::Table => {
            let width = fields
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0);
            for (key, value) in fields {
                writeln!(out, "{key:width$}  {}", cell(value, usize::MAX))?;
            }
            Ok(())
        }
        Format::Csv => {
            let columns = fields.iter().map(|(k, _)| (*k).to_owned()).collect();
            let mut list = ListPrinter::with_columns(out, format, columns);
            list.item(record(fields))?;
            list.finish()
        }
        Format::Markdown => markdown_fields(out, fields),
        Format::Json | Format::Ndjson => print_value(out, format, &record(fields)),
    }
}

/// The fields as one JSON object.
pub fn record(fields: &[(&str, Value)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

/// Prints a list item by item.
pub struct ListPrinter<'w, W: Write> {
    out: &'w mut W,
    format: Format,
    items: usize,
    /// The table's, CSV's or Markdown's columns: given, or (once the list
    /// has ended) the union of the items' fields.
    columns: Option<Vec<String>>,
    /// Whether the columns were given (rows may print before the list ends).
    columns_given: bool,
    /// Whether the header row is out (after it, rows print as they come).
    header_done: bool,
    widths: Vec<usize>,
    /// Rows kept before printing: a table's first rows until its columns are
    /// sized from them, or every row of a list whose columns come from its
    /// items.
    held: Vec<Value>,
}

impl<'w, W: Write> ListPrinter<'w, W> {
    /// A printer writing to `out`; a table's, CSV's or Markdown's columns
    /// are the fields of all the items (see the module doc), so those
    /// formats print when the list ends.
    pub fn new(out: &'w mut W, format: Format) -> Self {
        Self {
            out,
            format,
            items: 0,
            columns: None,
            columns_given: false,
            header_done: false,
            widths: Vec::new(),
            held: Vec::new(),
        }
    }

    /// A printer whose table, CSV and Markdown columns are `columns`, in that
    /// order, whatever fields the items have.
    pub fn with_columns(out: &'w mut W, format: Format, columns: Vec<String>) -> Self {
        Self {
            columns: Some(columns),
            columns_given: true,
            ..Self::new(out, format)
        }
    }

    /// Prints (or, for a table's first rows or a list whose columns come
    /// from its items, holds) one item.
    pub fn item(&mut self, item: Value) -> io::Result<()> {
        self.items += 1;
        match self.format {
            Format::Json => {
                self.out
                    .write_all(if self.items == 1 { b"[\n  " } else { b",\n  " })?;
                serde_json::to_writer(&mut *self.out, &item)?;
            }
            Format::Ndjson => {
                serde_json::to_writer(&mut *self.out, &item)?;
                writeln!(self.out)?;
            }
            Format::Csv | Format::Markdown if self.columns_given => {
                if !self.header_done {
                    self.header()?;
                }
                self.row(&item)?;
            }
            Format::Table if self.header_done => self.row(&item)?,
            Format::Table | Format::Csv | Format::Markdown => {
                self.held.push(item);
                if self.columns_given && self.held.len() >= TABLE_SIZING_ROWS {
                    self.flush_held()?;
                }
            }
        }
        Ok(())
    }

    /// Ends the list (closes a JSON array, prints the held rows).
    pub fn finish(mut self) -> io::Result<()> {
        match self.format {
            Format::Json if self.items == 0 => writeln!(self.out, "[]")?,
            Format::Json => writeln!(self.out, "\n]")?,
            Format::Table | Format::Markdown if self.items == 0 => writeln!(self.out, "(none)")?,
            Format::Table | Format::Csv | Format::Markdown => self.flush_held()?,
            Format::Ndjson => {}
        }
        self.out.flush()
    }

    /// Settles the columns (the union of the held items' fields, unless
    /// given), sizes a table from the held rows, and prints the header and
    /// the held rows.
    fn flush_held(&mut self) -> io::Result<()> {
        if self.header_done || self.held.is_empty() {
            return Ok(());
        }
        if self.columns.is_none() {
            self.columns = Some(columns(&self.held));
        }
        if self.format == Format::Table {
            let columns = self.columns.as_deref().unwrap_or_default();
            let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
            for item in &self.held {
                for (width, column) in widths.iter_mut().zip(columns) {
                    let text = cell(item.get(column).unwrap_or(&Value::Null), TABLE_CELL_CHARS);
                    *width = (*width).max(text.chars().count());
                }
            }
            self.widths = widths;
        }
        self.header()?;
        for item in std::mem::take(&mut self.held) {
            self.row(&item)?;
        }
        Ok(())
    }

    /// Prints the header row (rows print as they come after it).
    fn header(&mut self) -> io::Result<()> {
        let columns = self.columns.as_deref().unwrap_or_default();
        match self.format {
            Format::Csv => {
                let header: Vec<String> = columns.iter().map(|c| csv_field(c)).collect();
                writeln!(self.out, "{}", header.join(","))?;
            }
            Format::Markdown => {
                let header: Vec<String> = columns
                    .iter()
                    .map(|c| markdown_cell(&Value::from(c.as_str())))
                    .collect();
                writeln!(self.out, "| {} |", header.join(" | "))?;
                writeln!(self.out, "|{}", " --- |".repeat(columns.len()))?;
            }
            Format::Table => {
                let header: Vec<String> = columns
                    .iter()
                    .zip(&self.widths)
                    .map(|(c, w)| format!("{:w$}", c.to_uppercase()))
                    .collect();
                writeln!(self.out, "{}", header.join("  ").trim_end())?;
            }
            Format::Json | Format::Ndjson => {}
        }
        self.header_done = true;
        Ok(())
    }

    /// Prints one row of a table, CSV or Markdown list in its columns.
    fn row(&mut self, item: &Value) -> io::Result<()> {
        match self.format {
            Format::Csv => {
                let row: Vec<String> = self
                    .columns
                    .iter()
                    .flatten()
                    .map(|c| match item.get(c) {
                        None | Some(Value::Null) => String::new(),
                        Some(value) => csv_field(&cell(value, usize::MAX)),
                    })
                    .collect();
                writeln!(self.out, "{}", row.join(","))
            }
            Format::Markdown => {
                let row: Vec<String> = self
                    .columns
                    .iter()
                    .flatten()
                    .map(|c| markdown_cell(item.get(c).unwrap_or(&Value::Null)))
                    .collect();
                writeln!(self.out, "| {} |", row.join(" | "))
            }
            _ => self.table_row(item),
        }
    }

    fn table_row(&mut self, item: &Value) -> io::Result<()> {
        let row: Vec<String> = self
            .columns
            .iter()
            .flatten()
            .zip(&self.widths)
            .map(|(c, w)| {
                let text = cell(item.get(c).unwrap_or(&Value::Null), TABLE_CELL_CHARS);
                format!("{text:w$}")
            })
            .collect();
        writeln!(self.out, "{}", row.join("  ").trim_end())
    }
}

/// The columns of a list: every field any item has, `name` and `id` first,
/// the others in the order they first appear; `value` when no item is an
/// object with fields.
fn columns(items: &[Value]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for map in items.iter().filter_map(Value::as_object) {
        for key in map.keys() {
            if !seen.iter().any(|k| k == key) {
                seen.push(key.clone());
            }
        }
    }
    let mut columns: Vec<String> = ["name", "id"]
        .into_iter()
        .filter(|k| seen.iter().any(|s| s == k))
        .map(str::to_owned)
        .collect();
    columns.extend(seen.into_iter().filter(|k| k != "name" && k != "id"));
    if columns.is_empty() {
        columns.push("value".to_owned());
    }
    columns
}

/// A value as one cell: text as is, an object by its name or ID, a list
/// joined with commas, nothing as `-` (in CSV, nothing is an empty field);
/// cut at `max` characters.
fn cell(value: &Value, max: usize) -> String {
    let text = match value {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Object(map) => match map.get("name").or_else(|| map.get("id")) {
            Some(Value::String(s)) => s.clone(),
            _ => value.to_string(),
        },
        Value::Array(items) => items
            .iter()
            .map(|v| cell(v, usize::MAX))
            .collect::<Vec<_>>()
            .join(", "),
    };
    if text.chars().count() > max {
        let cut: String = text.chars().take(max.saturating_sub(3)).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// A value as one Markdown table cell: as [`cell`] shows it, with `|`
/// escaped and line breaks as spaces, so it cannot break the table.
fn markdown_cell(value: &Value) -> String {
    cell(value, usize::MAX)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// A CSV field, quoted when it needs to be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list(format: Format, items: &[Value]) -> String {
        let mut out = Vec::new();
        let mut printer = ListPrinter::new(&mut out, format);
        for item in items {
            printer.item(item.clone()).unwrap();
        }
        printer.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_list_prints_in_each_format() {
        let items = [
            json!({"account": {"id": "acc"}, "id": "1", "name": "a", "tags": ["x", "y"]}),
            json!({"account": {"id": "acc"}, "id": "2", "name": "b,c", "tags": []}),
        ];
        let json_out: Value = serde_json::from_str(&list(Format::Json, &items)).unwrap();
        assert_eq!(json_out, json!(items));
        assert_eq!(list(Format::Json, &[]).trim(), "[]");
        let lines: Vec<Value> = list(Format::Ndjson, &items)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines, items);
        let csv = list(Format::Csv, &items);
        assert_eq!(csv.lines().next().unwrap(), "name,id,account,tags");
        assert_eq!(csv.lines().nth(1).unwrap(), "a,1,acc,\"x, y\"");
        assert_eq!(csv.lines().nth(2).unwrap(), "\"b,c\",2,acc,");
        let csv = list(Format::Csv, &[json!({"id": "1", "name": null})]);
        assert_eq!(csv.lines().nth(1).unwrap(), ",1");
        let table = list(Format::Table, &items);
        assert_eq!(table.lines().next().unwrap(), "NAME  ID  ACCOUNT  TAGS");
        assert_eq!(table.lines().nth(1).unwrap(), "a     1   acc      x, y");
        let markdown = list(Format::Markdown, &items);
        let lines: Vec<&str> = markdown.lines().collect();
        assert_eq!(
            lines,
            [
                "| name | id | account | tags |",
                "| --- | --- | --- | --- |",
                "| a | 1 | acc | x, y |",
                "| b,c | 2 | acc |  |",
            ]
        );
        assert_eq!(list(Format::Markdown, &[]).trim(), "(none)");
    }

    #[test]
    fn a_field_only_later_items_have_gets_its_column_in_every_format() {
        let items = [
            json!({"id": "1", "name": "torquemag.io", "primary": true}),
            json!({"id": "2", "name": "www.torquemag.io", "primary": false,
                   "redirect_to": {"id": "1", "name": "torquemag.io"}}),
            json!({"name": "c", "id": "3", "primary": false, "note": null}),
        ];
        let table = list(Format::Table, &items);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines,
            [
                "NAME              ID  PRIMARY  REDIRECT_TO   NOTE",
                "torquemag.io      1   true     -             -",
                "www.torquemag.io  2   false    torquemag.io  -",
                "c                 3   false    -             -",
            ]
        );
        let csv = list(Format::Csv, &items);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines,
            [
                "name,id,primary,redirect_to,note",
                "torquemag.io,1,true,,",
                "www.torquemag.io,2,false,torquemag.io,",
                "c,3,false,,",
            ]
        );
        let markdown = list(Format::Markdown, &items);
        let lines: Vec<&str> = markdown.lines().collect();
        assert_eq!(
            lines,
            [
                "| name | id | primary | redirect_to | note |",
                "| --- | --- | --- | --- | --- |",
                "| torquemag.io | 1 | true | - | - |",
                "| www.torquemag.io | 2 | false | torquemag.io | - |",
                "| c | 3 | false | - | - |",
            ]
        );
    }

    #[test]
    fn a_table_beyond_its_sizing_rows_keeps_a_late_field() {
        let mut items: Vec<Value> = (0..TABLE_SIZING_ROWS + 5)
            .map(|i| json!({"name": format!("s{i}"), "id": i.to_string()}))
            .collect();
        items.push(json!({"name": "last", "id": "x", "installs": ["prod"]}));
        let table = list(Format::Table, &items);
        assert!(
            table.lines().next().unwrap().ends_with("INSTALLS"),
            "{table}"
        );
        assert!(table.lines().last().unwrap().ends_with("prod"), "{table}");
    }

    #[test]
    fn a_markdown_cell_cannot_break_its_table() {
        let item = json!({"name": "a|b\nc", "note": "back\\slash", "n": 3, "none": null});
        let mut out = Vec::new();
        let columns = ["name", "note", "n", "none"].map(str::to_owned).to_vec();
        let mut printer = ListPrinter::with_columns(&mut out, Format::Markdown, columns);
        printer.item(item).unwrap();
        printer.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap().lines().nth(2).unwrap(),
            "| a\\|b c | back\\\\slash | 3 | - |"
        );
        let mut out = Vec::new();
        print_fields(
            &mut out,
            Format::Markdown,
            &[("name", json!("x|y")), ("count", json!(2))],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "| field | value |\n| --- | --- |\n| name | x\\|y |\n| count | 2 |\n"
        );
    }
}
