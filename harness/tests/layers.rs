//! The crate's architecture, checked on its sources: the layer order written in `src/lib.rs`'s doc holds (a module
//! imports only from its own layer or the layers below), no imports go round in a circle (among the top-level
//! modules, nor among the files of one), every module has a layer, and the statistics do no I/O. Test code (`#[cfg(test)]` items and files) is
//! left out: a test may build its fixtures from anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// The layers, bottom first, as the `//! N. `name`, `name`: why` lines of lib.rs list them.
fn layers(lib: &str) -> Vec<Vec<String>> {
    lib.lines()
        .filter_map(|line| {
            let item = line.strip_prefix("//! ")?;
            let (number, rest) = item.split_once(". ")?;
            number.parse::<u32>().ok()?;
            let names = rest.split_once(':').map_or(rest, |(names, _)| names);
            Some(names.split(',').map(|name| name.trim().trim_matches('`').to_owned()).collect())
        })
        .collect()
}

/// The modules lib.rs declares.
fn declared_modules(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|line| line.trim_start_matches("pub ").strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned))
        .collect()
}

/// `text` with comments, string and char literals blanked, so that only code is searched.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        if rest.starts_with(&['/', '/']) {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if rest.starts_with(&['/', '*']) {
            i += 2;
            while i < chars.len() && !chars[i..].starts_with(&['*', '/']) {
                i += 1;
            }
            i += 2;
        } else if rest.starts_with(&['r', '#', '"']) || rest.starts_with(&['r', '"']) {
            let hashes = rest[1..].iter().take_while(|&&c| c == '#').count();
            i += 2 + hashes;
            while i < chars.len() && !(chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|&c| c == '#')) {
                i += 1;
            }
            i += 1 + hashes;
            out.push_str("\"\"");
        } else if chars[i] == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if chars[i] == '\'' && (rest.get(2) == Some(&'\'') || rest.get(1) == Some(&'\\')) {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// `code` without its `#[cfg(test)]` items: the attribute up to the item's `;` or its balanced braces.
fn without_test_items(code: &str) -> (String, Vec<String>) {
    const MARK: &str = "#[cfg(test)]";
    let (mut kept, mut test_modules) = (String::new(), Vec::new());
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        kept.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        let semicolon = item.find(';').unwrap_or(item.len());
        let brace = item.find('{').unwrap_or(item.len());
        if semicolon < brace {
            if let Some(name) =
                item[..semicolon].trim().rsplit(' ').next().filter(|_| item[..semicolon].contains("mod "))
            {
                test_modules.push(name.to_owned());
            }
            rest = &item[(semicolon + 1).min(item.len())..];
            continue;
        }
        let mut depth = 0;
        let mut end = item.len();
        for (i, c) in item.char_indices().skip(brace) {
            depth += match c {
                '{' => 1,
                '}' => -1,
                _ => 0,
            };
            if depth == 0 {
                end = i + 1;
                break;
            }
        }
        rest = &item[end..];
    }
    kept.push_str(rest);
    (kept, test_modules)
}

/// A source file: its module path (`["verdict", "scaling"]` for `verdict/scaling.rs` or `verdict/scaling/mod.rs`)
/// and its text.
struct Source {
    module: Vec<String>,
    text: String,
}

fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_owned());
    }
    parts
}

/// The top-level modules the code of `source` names: `crate::name`, `crate::{name, …}`, and `super::` paths that
/// climb out of its own top-level module.
fn imports(source: &Source, code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let words = |s: &str| s.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("").to_owned();
    for (at, _) in code.match_indices("crate::") {
        let after = &code[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            found.extend(group.split(',').map(|item| words(item.trim())));
        } else {
            found.insert(words(after));
        }
    }
    for (at, _) in code.match_indices("super::") {
        if code[..at].ends_with("super::") || code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let mut after = &code[at..];
        let mut climbed = 0;
        while let Some(rest) = after.strip_prefix("super::") {
            climbed += 1;
            after = rest;
        }
        if climbed >= source.module.len() {
            found.insert(words(after));
        }
    }
    found.retain(|name| !name.is_empty() && name != "self" && name != &source.module[0]);
    found
}

/// The file modules the code of `source` names by path (`crate::…`, `super::…`, `self::…`, one level of braces),
/// each as the longest prefix of the path that is one of `modules`; its own module, ancestors and descendants
/// left out (a module declaring its files is not an import).
fn file_imports(source: &Source, code: &str, modules: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let segments = |text: &str| -> Vec<String> {
        text.split("::")
            .map(|part| part.trim().split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or(""))
            .take_while(|part| !part.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut paths: Vec<Vec<String>> = Vec::new();
    for (at, _) in code.match_indices("::") {
        let before = &code[..at];
        let head_start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).map_or(0, |i| i + 1);
        let head = &before[head_start..];
        let climbs = head.split("::").all(|part| part == "super");
        if head.is_empty() || !(head == "crate" || head == "self" || climbs) {
            continue;
        }
        let mut base: Vec<String> = match head {
            "crate" => Vec::new(),
            "self" => source.module.clone(),
            supers => source.module[..source.module.len().saturating_sub(supers.split("::").count())].to_vec(),
        };
        let rest = &code[at + 2..];
        if rest.starts_with("super::") {
            continue; // the chain goes on: judged at its last `super::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            paths.extend(group.split(',').map(|item| [base.clone(), segments(item)].concat()));
        } else {
            base.extend(segments(rest));
            paths.push(base);
        }
    }
    paths
        .into_iter()
        .filter_map(|path| (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|prefix| modules.contains(prefix)))
        .filter(|target| !target.starts_with(&source.module) && !source.module.starts_with(target))
        .collect()
}

/// Every file of the crate under `src`, as (path relative to `src`, text).
fn read_sources(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            read_sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.strip_prefix(root).unwrap().to_owned(), fs::read_to_string(&path).unwrap()));
        }
    }
}

/// What breaks the architecture in `files` (paths relative to `src`, with `lib.rs` among them): each import that
/// climbs a layer, each circle among top-level modules, each module without a layer.
fn violations(files: &[(PathBuf, String)]) -> Vec<String> {
    let lib = &files.iter().find(|(path, _)| path == Path::new("lib.rs")).expect("lib.rs").1;
    let layers = layers(lib);
    let layer_of: BTreeMap<&str, usize> =
        layers.iter().enumerate().flat_map(|(i, names)| names.iter().map(move |n| (n.as_str(), i))).collect();
    let mut found: Vec<String> = declared_modules(lib)
        .into_iter()
        .filter(|module| !layer_of.contains_key(module.as_str()))
        .map(|module| format!("module `{module}` is in no layer of lib.rs"))
        .collect();

    let mut sources = Vec::new();
    let mut test_files: BTreeSet<Vec<String>> = BTreeSet::new();
    for (path, text) in files {
        let module = module_path(path);
        if module.is_empty() || module == ["lib"] || module == ["main"] {
            continue;
        }
        let (code, test_modules) = without_test_items(&code_only(text));
        test_files.extend(test_modules.into_iter().map(|name| [module.clone(), vec![name]].concat()));
        sources.push((path, Source { module, text: code }));
    }
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|(_, source)| source.module.clone()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut file_graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, source) in &sources {
        if test_files.iter().any(|test| source.module.starts_with(test)) {
            continue;
        }
        let named = file_imports(source, &source.text, &modules);
        file_graph.entry(source.module.join("::")).or_default().extend(named.iter().map(|m| m.join("::")));
        let from = &source.module[0];
        for to in imports(source, &source.text) {
            let (Some(&low), Some(&high)) = (layer_of.get(to.as_str()), layer_of.get(from.as_str())) else {
                continue;
            };
            if low > high {
                found.push(format!(
                    "{}: `{from}` (layer {}) imports `{to}` (layer {}), a layer above it",
                    path.display(),
                    high + 1,
                    low + 1
                ));
            }
            graph.entry(from.clone()).or_default().insert(to);
        }
    }
    file_graph.retain(|from, _| from.contains("::"));
    for (_, targets) in file_graph.iter_mut() {
        targets.retain(|to| to.contains("::"));
    }
    for circle in [circles(&graph), circles(&file_graph)].concat() {
        found.push(format!("imports go round: {}", circle.join(" → ")));
    }
    found
}

/// The circles in `graph`, each as the path that closes it.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn reach(graph: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str, seen: &mut Vec<String>) -> bool {
        for next in graph.get(from).into_iter().flatten() {
            if next == to {
                return true;
            }
            if !seen.contains(next) {
                seen.push(next.clone());
                if reach(graph, next, to, seen) {
                    return true;
                }
                seen.pop();
            }
        }
        false
    }
    let mut found: Vec<Vec<String>> = Vec::new();
    for start in graph.keys() {
        let mut path = Vec::new();
        if reach(graph, start, start, &mut path) {
            let mut circle = [vec![start.clone()], path, vec![start.clone()]].concat();
            let mut members: Vec<String> = circle[..circle.len() - 1].to_vec();
            members.sort();
            if !found.iter().any(|known| {
                let mut seen = known[..known.len() - 1].to_vec();
                seen.sort();
                seen == members
            }) {
                found.push(std::mem::take(&mut circle));
            }
        }
    }
    found
}

/// What the statistics' code (module `stats`, test code aside) names that does I/O or parses a command line.
fn impure_statistics(files: &[(PathBuf, String)]) -> Vec<String> {
    const IMPURE: [&str; 6] = ["std::fs", "std::io", "std::net", "std::process", "std::env", "clap::"];
    files
        .iter()
        .filter(|(path, _)| path.starts_with("stats"))
        .flat_map(|(path, text)| {
            let (code, _) = without_test_items(&code_only(text));
            IMPURE
                .iter()
                .filter(move |name| code.contains(*name))
                .map(move |name| format!("{}: {name}", path.display()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn crate_sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    read_sources(Path::new(SRC), Path::new(SRC), &mut files);
    files.sort();
    files
}

#[test]
fn every_import_points_down_and_none_goes_round() {
    let found = violations(&crate_sources());
    assert!(found.is_empty(), "the layers of src/lib.rs are broken:\n{}", found.join("\n"));
}

#[test]
fn the_statistics_do_no_io() {
    let found = impure_statistics(&crate_sources());
    assert!(found.is_empty(), "statistics are pure functions on samples:\n{}", found.join("\n"));
}

/// A crate of three layers for the checks to judge: `low` below `mid` below `high`.
fn crafted(files: &[(&str, &str)]) -> Vec<(PathBuf, String)> {
    let lib = "//! 1. `low`: the bottom\n//! 2. `mid`, `side`: the middle\n//! 3. `high`: the top\n\
               mod high;\nmod low;\nmod mid;\nmod side;\n";
    [("lib.rs", lib)].iter().chain(files).map(|(path, text)| (PathBuf::from(path), (*text).to_owned())).collect()
}

#[test]
fn a_crafted_upward_import_is_named() {
    let found = violations(&crafted(&[("low/deep.rs", "use crate::high::Thing;\n")]));
    assert_eq!(found, ["low/deep.rs: `low` (layer 1) imports `high` (layer 3), a layer above it"]);
    let grouped = violations(&crafted(&[("low.rs", "use crate::{high::Thing, low::Other};\n")]));
    assert_eq!(grouped.len(), 1, "{grouped:?}");
    let climbing = violations(&crafted(&[("mid/a/b.rs", "use super::super::super::high::Thing;\n")]));
    assert_eq!(climbing.len(), 1, "super:: out of the module: {climbing:?}");
}

#[test]
fn a_crafted_circle_is_named() {
    let found = violations(&crafted(&[("mid.rs", "use crate::side::A;\n"), ("side/mod.rs", "use crate::mid::B;\n")]));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("imports go round: ") && found[0].contains("mid") && found[0].contains("side"));
}

#[test]
fn a_crafted_circle_among_the_files_of_a_module_is_named() {
    let found = violations(&crafted(&[
        ("mid/mod.rs", "mod a;\nmod b;\n"),
        ("mid/a.rs", "use super::b::Thing;\n"),
        ("mid/b.rs", "use crate::mid::a::Other;\n"),
    ]));
    assert_eq!(found, ["imports go round: mid::a → mid::b → mid::a"]);
    let declared_only =
        violations(&crafted(&[("mid/mod.rs", "pub use self::a::Thing;\n"), ("mid/a.rs", "use super::Other;\n")]));
    assert!(declared_only.is_empty(), "a module and its own files: {declared_only:?}");
}

#[test]
fn downward_imports_comments_strings_and_test_code_pass() {
    let high = "//! See [`crate::high`]; uses crate::low.\nuse crate::low::A;\nuse crate::mid::B;\n";
    let low = "const TEXT: &str = \"crate::high::X\";\n\
               #[cfg(test)]\nmod tests {\n    use crate::high::Fixture;\n    fn f() { let _ = '{'; }\n}\n\
               #[cfg(test)]\nmod fixtures;\n";
    let fixtures = "use crate::high::Builder;\n";
    let found = violations(&crafted(&[("high.rs", high), ("low/mod.rs", low), ("low/fixtures.rs", fixtures)]));
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_module_without_a_layer_is_named() {
    let mut files = crafted(&[]);
    files[0].1.push_str("mod stray;\n");
    assert_eq!(violations(&files), ["module `stray` is in no layer of lib.rs"]);
}

#[test]
fn statistics_that_read_a_file_are_named() {
    let files = crafted(&[("stats/mean.rs", "fn load() { std::fs::read(\"x\").ok(); }\n")]);
    assert_eq!(impure_statistics(&files), ["stats/mean.rs: std::fs"]);
}
