//! Test harness: ONNX Runtime's library, the plugins (built once into a target directory of
//! their own), seeded model exports made with rin-exporter's fixture generator, and a runner for
//! the `rin` binary.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use rin_exporter::fixture::{vocab, write_checkpoint, FixtureSpec};
use rin_exporter::ExportOptions;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("repository root")
}

/// ONNX Runtime's library. Fails the test (never skips it) when there is none.
pub fn ort_dylib() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| match rin_runtime::session::resolve_library(None) {
        Ok(lib) => lib.path,
        Err(e) => panic!(
            "these tests need ONNX Runtime's library: {e}\n\
             run them with `cargo xtask run -- cargo test -p rin-cli` (or `cargo xtask test`), which set RIN_ORT_DYLIB"
        ),
    })
    .clone()
}

/// The Penn Treebank tags as the trainer's POS vocabulary holds them.
pub use rin_core::pos::PENN_TAGS;

/// `<target>/runtime-plugin-tests`, next to this test executable's target directory, so that the
/// nested cargo never waits on the outer build's lock.
fn plugin_target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let target = exe
        .ancestors()
        .nth(3)
        .expect("test executable inside a cargo target directory");
    target.join("runtime-plugin-tests")
}

/// The plugin directory: rin's shipped tokenizers and taggers, built once per test run.
pub fn plugin_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.arg("build")
            .arg("--message-format=json-render-diagnostics")
            .arg("--manifest-path")
            .arg(repo_root().join("Cargo.toml"))
            .arg("--target-dir")
            .arg(plugin_target_dir())
            .arg("--lib")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET_DIR");
        for p in ["whitespace", "english", "perceptron", "none"] {
            cmd.args(["-p", &format!("rin-plugin-{p}")]);
        }
        let output = cmd.output().expect("run cargo build for the plugins");
        assert!(
            output.status.success(),
            "building the plugins failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut dirs = BTreeMap::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            for file in msg["filenames"].as_array().into_iter().flatten() {
                let file = PathBuf::from(file.as_str().unwrap_or_default());
                if file.extension().is_some_and(|e| e == "so") {
                    dirs.insert(file.parent().unwrap().to_owned(), ());
                }
            }
        }
        let dir = dirs
            .into_keys()
            .next()
            .expect("cargo reported no plugin library");
        for p in ["whitespace", "english", "perceptron", "none"] {
            let lib = dir.join(format!("librin_plugin_{p}.so"));
            assert!(lib.is_file(), "{} was not built", lib.display());
        }
        dir
    })
    .clone()
}

/// A seeded model export made by rin-exporter from a random checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fixture {
    /// POS input (Penn Treebank tags), exact match, 171 WebNLG* relations, Ks 0..=2.
    Pos,
    /// No POS input, partial match, 3 relations.
    NoPos,
}

/// The words of the first WebNLG* test sentences, lower-cased (what the fixture models know).
pub fn webnlg_sentences(n: usize) -> Vec<Vec<String>> {
    let path = repo_root().join("data/webnlg-star/test.json");
    let relations =
        rin_core::dataset::load_relations(&repo_root().join("data/webnlg-star")).unwrap();
    let data = rin_core::load_file(&path, rin_core::DataFormat::CasRel, &relations).unwrap();
    data.sentences
        .into_iter()
        .take(n)
        .map(|s| s.tokens)
        .collect()
}

/// WebNLG*'s relation names.
pub fn webnlg_relations() -> Vec<String> {
    rin_core::dataset::load_relations(&repo_root().join("data/webnlg-star"))
        .unwrap()
        .names()
        .to_vec()
}

fn fixture_spec(fixture: Fixture) -> FixtureSpec {
    let mut spec = FixtureSpec::tiny(11);
    match fixture {
        Fixture::Pos => {
            let mut words: Vec<String> = webnlg_sentences(60)
                .into_iter()
                .flatten()
                .map(|w| rin_core::word_key(&w))
                .collect();
            words.sort();
            words.dedup();
            spec.words = vocab(words.iter().map(String::as_str));
            spec.pos_tags = vocab(PENN_TAGS);
            spec.relations = webnlg_relations();
        }
        Fixture::NoPos => spec = spec.without_pos(),
    }
    spec.config.word_vocab = spec.words.len();
    spec.config.pos_vocab = spec.pos_tags.len();
    spec.config.relations = spec.relations.len();
    spec
}

/// The export folder of `fixture` (made once per test run, in a temporary directory).
pub fn model(fixture: Fixture) -> PathBuf {
    static MODELS: OnceLock<std::sync::Mutex<BTreeMap<Fixture, PathBuf>>> = OnceLock::new();
    static ROOT: OnceLock<tempfile::TempDir> = OnceLock::new();
    let root = ROOT.get_or_init(|| tempfile::tempdir().expect("temporary directory"));
    let mut models = MODELS.get_or_init(Default::default).lock().unwrap();
    models
        .entry(fixture)
        .or_insert_with(|| {
            let name = format!("{fixture:?}").to_lowercase();
            let ckpt = root.path().join(format!("{name}-checkpoint"));
            let out = root.path().join(format!("{name}-model"));
            let spec = fixture_spec(fixture);
            write_checkpoint(&ckpt, &spec).expect("write the fixture checkpoint");
            match fixture {
                Fixture::Pos => {
                    set_entity_bias(&ckpt, ENTITY_BIAS);
                    // Random relation probabilities sit around 0.5 (at most about 0.66): a high
                    // threshold keeps a few dozen triples per sentence.
                    set_json(
                        &ckpt.join("checkpoint.json"),
                        "threshold",
                        FIXTURE_THRESHOLD.into(),
                    );
                }
                Fixture::NoPos => set_json(
                    &ckpt.join("checkpoint.json"),
                    "match_mode",
                    "partial".into(),
                ),
            }
            let options = ExportOptions {
                ks: vec![0, 1, 2],
                ..Default::default()
            };
            rin_exporter::export(&ckpt, &out, &options).expect("export the fixture");
            out
        })
        .clone()
}

/// The entity head's bias of [`Fixture::Pos`] (O, B, I, E, S): random weights alone tag almost
/// every token O; this makes spans, so that exact-match decoding has entities to work with.
pub const ENTITY_BIAS: [f32; 5] = [-0.5, 0.0, 0.0, 0.0, 0.2];

/// The relation threshold of [`Fixture::Pos`].
pub const FIXTURE_THRESHOLD: f32 = 0.64;

/// Rewrites `entity_head.bias` in the checkpoint's safetensors file.
fn set_entity_bias(ckpt: &Path, bias: [f32; 5]) {
    let path = ckpt.join("model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = file
        .tensors()
        .into_iter()
        .map(|(name, view)| (name, view.shape().to_vec(), view.data().to_vec()))
        .collect();
    let entry = tensors
        .iter_mut()
        .find(|t| t.0 == "entity_head.bias")
        .expect("entity_head.bias");
    entry.2 = bias.iter().flat_map(|v| v.to_le_bytes()).collect();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = tensors
        .iter()
        .map(|(name, shape, data)| {
            let view =
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), data)
                    .unwrap();
            (name.clone(), view)
        })
        .collect();
    safetensors::serialize_to_file(views, &None, &path).unwrap();
}

/// A copy of `fixture`'s export in `dir`, to damage.
pub fn model_copy(fixture: Fixture, dir: &Path) -> PathBuf {
    let dst = dir.join("model");
    copy_model_files(&model(fixture), &dst);
    dst
}

/// Copies the files of the export folder `src` (not its `checkpoint/`) into a new folder `dst`.
pub fn copy_model_files(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dst.join(entry.file_name())).unwrap();
        }
    }
}

/// The `rin export` flags that give a shipped folder's word table and relation threshold again
/// (`--word-table fp16` where its manifest records fp16 rows, `--threshold` as its manifest
/// records), so a re-export of its checkpoint is comparable score for score.
pub fn shipped_export_flags(folder: &Path) -> Vec<String> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).unwrap())
            .unwrap();
    let mut flags = vec![
        "--threshold".to_owned(),
        manifest["threshold"].as_f64().unwrap().to_string(),
    ];
    if let Some(precision) = manifest["word_table"]["precision"].as_str() {
        flags.extend(["--word-table".to_owned(), precision.to_owned()]);
    }
    flags
}

/// Sets a top-level field of a JSON file.
pub fn set_json(path: &Path, key: &str, value: serde_json::Value) {
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json[key] = value;
    std::fs::write(path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
}

/// `rin` with the test environment: ONNX Runtime's library, the plugin directory, no model from
/// the environment, and `dir` as the working directory.
pub fn rin(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rin"));
    cmd.current_dir(dir)
        .env("RIN_ORT_DYLIB", ort_dylib())
        .env("RIN_PLUGIN_DIR", plugin_dir())
        .env_remove("RIN_MODEL")
        .env_remove("RUST_LOG");
    cmd
}

/// Runs `cmd` with `stdin` and returns its output.
pub fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rin");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

/// A finished run's stdout lines parsed as JSON; panics with stderr when it failed.
pub fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    assert!(
        output.status.success(),
        "rin failed: {}\nstderr:\n{}",
        output.status,
        stderr(output)
    );
    String::from_utf8(output.stdout.clone())
        .expect("stdout is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A run's stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts that the run failed and its stderr contains every one of `needles`.
pub fn assert_fails_with(output: &Output, needles: &[&str]) {
    let err = stderr(output);
    assert!(
        !output.status.success(),
        "expected a failure, got success; stdout:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    for needle in needles {
        assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
    }
}

/// One sentence decoded the direct way: the model run on that sentence alone (no batching, no
/// padding), its outputs decoded with rin-core. The reference the pipeline must reproduce.
#[derive(Debug, Clone)]
pub struct Direct {
    /// Argmax tags.
    pub tags: Vec<rin_core::Tag>,
    /// `(subject span, relation, object span, score)`.
    pub triples: Vec<(rin_core::Span, usize, rin_core::Span, f32)>,
}

/// Runs `model_dir`'s trained-K graph on each sentence alone and decodes it with rin-core.
/// POS tags come from the `perceptron` plugin (models with POS input).
pub fn direct_predictions(
    model_dir: &Path,
    sentences: &[Vec<String>],
    mode: rin_core::MatchMode,
    threshold: f32,
) -> Vec<Direct> {
    direct_predictions_k(model_dir, sentences, mode, threshold, None)
}

/// `model`'s graph for `k` (`None`: the trained K) in a one-thread ONNX Runtime session, loaded
/// as the tests' references load it: without the pipeline.
pub fn direct_session(
    model: &rin_runtime::Model,
    k: Option<usize>,
) -> rin_runtime::session::ModelSession {
    direct_session_with(model, k, None)
}

/// [`direct_session`] of the trained K's graph at `precision` (`None`: the folder's default).
pub fn direct_session_at(
    model: &rin_runtime::Model,
    precision: Option<rin_core::manifest::Precision>,
) -> rin_runtime::session::ModelSession {
    direct_session_with(model, None, precision)
}

fn direct_session_with(
    model: &rin_runtime::Model,
    k: Option<usize>,
    precision: Option<rin_core::manifest::Precision>,
) -> rin_runtime::session::ModelSession {
    use rin_runtime::session::{self, ModelSession, OrtConfig};

    let config = OrtConfig {
        library: Some(ort_dylib()),
        threads: Some(1),
        ..Default::default()
    };
    let (runtime, cuda) = session::setup(&config).unwrap();
    let (_, _, graph) = model.graph_at(k, precision).unwrap();
    ModelSession::load(
        runtime,
        &graph,
        model.graph_names(),
        model.relations().len(),
        &config,
        cuda,
    )
    .unwrap()
}

/// `tokens` as a sentence with the POS tags of `tagger`, spelled as the pipeline spells them.
pub fn tagged(tagger: &rin_plugin_host::Tagger, tokens: &[String]) -> rin_core::Sentence {
    let mut sentence = rin_core::Sentence::from_tokens(tokens.to_vec());
    let tags = tagger.tag(tokens).unwrap();
    sentence.pos_tags = Some(
        tags.iter()
            .map(|t| rin_runtime::plugin::normalize_tag(t).to_owned())
            .collect(),
    );
    sentence
}

/// [`direct_predictions`] with the graph of `k` (`None`: the trained K).
pub fn direct_predictions_k(
    model_dir: &Path,
    sentences: &[Vec<String>],
    mode: rin_core::MatchMode,
    threshold: f32,
    k: Option<usize>,
) -> Vec<Direct> {
    use rin_runtime::input::ModelInputs;

    let model = rin_runtime::Model::open(model_dir).unwrap();
    let session = direct_session(&model, k);
    let relations = model.relations().len();
    let plugins = rin_runtime::Plugins::resolve(Some(&plugin_dir())).unwrap();
    let tagger = model.pos().map(|_| plugins.tagger("perceptron").unwrap());
    let empty = rin_core::Vocab::new();
    sentences
        .iter()
        .map(|tokens| {
            let sentence = match &tagger {
                Some(tagger) => tagged(tagger, tokens),
                None => rin_core::Sentence::from_tokens(tokens.clone()),
            };
            let n = sentence.len();
            let batch = rin_core::PaddedBatch::new(
                &[&sentence],
                model.words(),
                model.pos().unwrap_or(&empty),
            );
            let out = session.run(&ModelInputs::new(batch)).unwrap();
            let tags = rin_core::argmax_tags(&out.entity_probs, n);
            let triples =
                rin_core::decode_triples(&tags, &out.relation_probs, n, relations, threshold, mode)
                    .into_iter()
                    .map(|t| {
                        let score = out.relation_probs
                            [(t.subject.last() * n + t.object.last()) * relations + t.relation];
                        (t.subject, t.relation, t.object, score)
                    })
                    .collect();
            Direct { tags, triples }
        })
        .collect()
}
