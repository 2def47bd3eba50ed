//! The module-level dependency graph of one crate target, read from its source: a module depends on
//! every module that a `crate::…` path in it names, and a cycle in that graph is an import circle.
//!
//! The parser is deliberately small: it follows `mod name;` declarations from the target's root
//! file, drops `//` comments (doc links are not dependencies), and expands `use crate::{a, b::{c}}`
//! trees. A path counts towards the longest module prefix it names; paths into the crate root are
//! skipped, because the root is the table of contents that re-exports everything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`""` for the root, `server::batch`) to the modules it names through `crate::`.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The graph of the crate whose root file (`lib.rs`, `main.rs`, `bin/x.rs`) is `root`.
pub fn graph(root: &Path) -> std::io::Result<Graph> {
    let mut sources = BTreeMap::new();
    collect(root, String::new(), true, &mut sources)?;
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    let mut graph = Graph::new();
    for (module, text) in &sources {
        let mut deps = BTreeSet::new();
        if !module.is_empty() {
            for path in crate_paths(text) {
                if let Some(target) = owning_module(&path, &modules) {
                    if !target.is_empty() && target != *module {
                        deps.insert(target);
                    }
                }
            }
        }
        graph.insert(module.clone(), deps);
    }
    Ok(graph)
}

/// Reads `file` as `module` and every file module it declares, recursively. `dir_owner` is true
/// for files whose children sit next to them (`lib.rs`, `main.rs`, `mod.rs`).
fn collect(
    file: &Path,
    module: String,
    dir_owner: bool,
    out: &mut BTreeMap<String, String>,
) -> std::io::Result<()> {
    let text = std::fs::read_to_string(file)?;
    let code = strip_comments(&text);
    let parent = file.parent().unwrap_or(Path::new("."));
    let child_dir: PathBuf = if dir_owner {
        parent.to_path_buf()
    } else {
        parent.join(file.file_stem().unwrap_or_default())
    };
    for name in declared_modules(&code) {
        let child = if module.is_empty() {
            name.clone()
        } else {
            format!("{module}::{name}")
        };
        let flat = child_dir.join(format!("{name}.rs"));
        let nested = child_dir.join(&name).join("mod.rs");
        if flat.is_file() {
            collect(&flat, child, false, out)?;
        } else if nested.is_file() {
            collect(&nested, child, true, out)?;
        }
    }
    out.insert(module, code);
    Ok(())
}

/// Removes `//` comments, so that doc links do not count.
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.find("//").map_or(line, |i| &line[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names of `mod name;` declarations (modules in their own files).
fn declared_modules(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in code.lines() {
        let line = line.trim();
        let line = line.strip_prefix("pub ").unwrap_or(line);
        let line = match line.strip_prefix("pub(") {
            Some(rest) => rest.split_once(')').map_or(rest, |(_, r)| r).trim_start(),
            None => line,
        };
        if let Some(name) = line.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
            names.push(name.trim().to_owned());
        }
    }
    names
}

/// Every path after a `crate::` (not `$crate::`), with `{…}` trees expanded, as segments.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let bytes = code.as_bytes();
    let mut start = 0;
    while let Some(found) = code[start..].find("crate::") {
        let at = start + found;
        start = at + "crate::".len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        if before.is_some_and(|b| b == b'$' || b == b'_' || b.is_ascii_alphanumeric()) {
            continue;
        }
        let mut chars = code[start..].chars().peekable();
        tree(&mut chars, Vec::new(), &mut paths);
    }
    paths
}

/// Reads one use tree (`a::b`, `a::{b, c::d}`, `self`, `*`) after `prefix`.
fn tree(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) {
    let mut path = prefix;
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            loop {
                tree(chars, path.clone(), out);
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                match chars.next() {
                    Some(',') => continue,
                    _ => return,
                }
            }
        }
        let segment: String =
            std::iter::from_fn(|| chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_'))
                .collect();
        if !segment.is_empty() && segment != "self" {
            path.push(segment);
        }
        let mut look = chars.clone();
        if look.next() == Some(':') && look.next() == Some(':') {
            chars.next();
            chars.next();
            continue;
        }
        out.push(path);
        return;
    }
}

/// The longest module of `modules` that `path` starts with (`""`, the root, when none).
fn owning_module(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|candidate| modules.contains(candidate))
}

/// Every cycle of `graph`, one per strongly connected component of more than one module, each as
/// the modules around one loop (first module repeated at the end).
pub fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for start in graph.keys() {
        if reported.contains(start) {
            continue;
        }
        if let Some(mut path) = path_back(graph, start) {
            reported.extend(path.iter().cloned());
            path.push(start.clone());
            found.push(path);
        }
    }
    found
}

/// A shortest path from `start` back to itself (breadth first), without the final `start`.
fn path_back(graph: &Graph, start: &str) -> Option<Vec<String>> {
    let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in graph.get(node).into_iter().flatten() {
            if next == start {
                let mut path = vec![node.to_owned()];
                let mut at = node;
                while at != start {
                    at = previous[at];
                    path.push(at.to_owned());
                }
                path.reverse();
                return Some(path);
            }
            if !previous.contains_key(next.as_str()) {
                previous.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    fn temp_crate(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write(&dir, files);
        dir
    }

    #[test]
    fn a_synthetic_cycle_is_found_and_named() {
        let dir = temp_crate(
            "cycle",
            &[
                ("lib.rs", "pub mod a;\npub mod b;\nmod c;\npub use a::A;\n"),
                ("a.rs", "use crate::b::B;\npub struct A;\n"),
                ("b.rs", "pub struct B(crate::c::C);\n"),
                (
                    "c/mod.rs",
                    "mod inner;\nuse crate::{a::A, Thing};\npub struct C;\n",
                ),
                (
                    "c/inner.rs",
                    "// crate::a::A in a comment is no dependency\n",
                ),
            ],
        );
        let graph = graph(&dir.join("lib.rs")).unwrap();
        assert_eq!(graph["c"], BTreeSet::from(["a".to_owned()]));
        assert!(graph["c::inner"].is_empty());
        let cycles = cycles(&graph);
        assert_eq!(cycles, vec![vec!["a", "b", "c", "a"]]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn nested_use_trees_and_macro_paths() {
        let paths =
            crate_paths("use crate::{x::{self, Y}, z::W};\n$crate::q::R;\nlet _ = crate::v::f();");
        assert_eq!(
            paths,
            vec![
                vec!["x".to_owned()],
                vec!["x".to_owned(), "Y".to_owned()],
                vec!["z".to_owned(), "W".to_owned()],
                vec!["v".to_owned(), "f".to_owned()],
            ]
        );
    }
}
