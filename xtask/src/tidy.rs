//! Workspace rules that a test enforces, read from `cargo metadata` (rust-analyzer's tidy pattern).

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::process::Command;

    use serde_json::Value;

    fn metadata() -> Value {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .output()
            .expect("cargo metadata runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON")
    }

    /// Each workspace package and the names of every package it reaches (normal dependencies,
    /// transitively; build and dev dependencies do not end up in its binaries).
    fn reachable() -> BTreeMap<String, BTreeSet<String>> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .args(["metadata", "--format-version", "1"])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .output()
            .expect("cargo metadata runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let metadata: Value =
            serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON");
        let names: BTreeMap<&str, &str> = metadata["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .map(|p| {
                (
                    p["id"].as_str().expect("id"),
                    p["name"].as_str().expect("name"),
                )
            })
            .collect();
        let nodes: BTreeMap<&str, Vec<&str>> = metadata["resolve"]["nodes"]
            .as_array()
            .expect("resolve nodes")
            .iter()
            .map(|node| {
                let deps = node["deps"]
                    .as_array()
                    .expect("deps")
                    .iter()
                    .filter(|dep| {
                        dep["dep_kinds"]
                            .as_array()
                            .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()))
                    })
                    .map(|dep| dep["pkg"].as_str().expect("pkg"))
                    .collect();
                (node["id"].as_str().expect("id"), deps)
            })
            .collect();
        let mut result = BTreeMap::new();
        for member in metadata["workspace_members"].as_array().expect("members") {
            let root = member.as_str().expect("member id");
            let mut seen = BTreeSet::new();
            let mut stack = vec![root];
            while let Some(id) = stack.pop() {
                for &dep in nodes.get(id).into_iter().flatten() {
                    if seen.insert(names[dep].to_string()) {
                        stack.push(dep);
                    }
                }
            }
            result.insert(names[root].to_string(), seen);
        }
        result
    }

    #[test]
    fn only_the_trainer_and_its_benchmarks_link_libtorch_and_core_stays_free_of_tensor_libraries() {
        let reachable = reachable();
        assert!(
            reachable["rin-trainer"].contains("torch-sys"),
            "the check must see tch at all"
        );
        for (package, deps) in &reachable {
            // rin-bench times the trainer's tch model against ONNX Runtime.
            if package != "rin-trainer" && package != "rin-bench" {
                assert!(
                    !deps.contains("torch-sys"),
                    "{package} reaches libtorch (torch-sys)"
                );
            }
        }
        for package in [
            "rin-core",
            "rin-plugin-abi",
            "rin-plugin-sdk",
            "rin-plugin-host",
            "xtask",
        ] {
            for banned in ["tch", "torch-sys", "ort", "ndarray", "tokio", "prost"] {
                assert!(
                    !reachable[package].contains(banned),
                    "{package} reaches {banned}"
                );
            }
        }
        assert!(
            reachable["rin-plugin-abi"].is_empty(),
            "the ABI crate has no dependencies"
        );
    }

    #[test]
    fn the_runtime_library_knows_nothing_of_the_command_line_or_the_exporter() {
        let reachable = reachable();
        assert!(
            reachable["rin-cli"].contains("clap"),
            "the check must see clap at all"
        );
        for banned in [
            "rin-exporter",
            "clap",
            "indicatif",
            "anyhow",
            "tracing-subscriber",
        ] {
            assert!(
                !reachable["rin-runtime"].contains(banned),
                "rin-runtime's library reaches {banned}"
            );
        }
    }

    #[test]
    fn no_crate_has_an_import_circle() {
        let metadata = metadata();
        let mut circles = Vec::new();
        let mut checked = 0;
        for package in metadata["packages"].as_array().expect("packages") {
            for target in package["targets"].as_array().expect("targets") {
                let kinds = target["kind"].as_array().expect("kind");
                let is_crate = kinds.iter().any(|k| {
                    matches!(
                        k.as_str(),
                        Some("lib" | "bin" | "rlib" | "cdylib" | "staticlib")
                    )
                });
                if !is_crate {
                    continue;
                }
                let root = std::path::Path::new(target["src_path"].as_str().expect("src_path"));
                let graph = crate::module_graph::graph(root).expect("the sources read");
                checked += graph.len();
                for cycle in crate::module_graph::cycles(&graph) {
                    circles.push(format!(
                        "{} ({}): {}",
                        package["name"].as_str().unwrap_or("?"),
                        target["name"].as_str().unwrap_or("?"),
                        cycle.join(" -> ")
                    ));
                }
            }
        }
        assert!(checked > 50, "the check must see the modules at all");
        assert!(
            circles.is_empty(),
            "import circles (module -> module it names through crate::):\n{}",
            circles.join("\n")
        );
    }
}
