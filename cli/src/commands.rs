//! The subcommands: each turns its arguments into library calls and prints results on stdout.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use rin_core::manifest::{Precision, RelationOutput};
use rin_core::{DataFormat, EvalReport, Prf};
use rin_runtime::source::{InputFormat, InputRecord, RecordReader};
use rin_runtime::stream::{extract_stream, OutputFormat, StreamOptions};
use rin_runtime::{plugin, Extractor, Model, Plugins, Predictor};

use crate::cli::{
    EvalArgs, ExportArgs, ExportFormat, ExtractArgs, FormatArg, InfoArgs, InstanceArg, OutputArg,
    OutputsArg, PluginsListArgs,
};
use crate::model_options::{ks_of, model_dir, pipeline_config, progress_bar, verify};

pub fn extract(args: ExtractArgs) -> Result<ExitCode> {
    let config = pipeline_config(&args.model, args.tokenizer.clone());
    let model = Model::open_with(&model_dir(&args.model)?, verify(&args.model))?;
    let extractor = Extractor::load(model, &config)?;
    let format = match args.format {
        FormatArg::Auto => InputFormat::Auto,
        FormatArg::Lines => InputFormat::Lines,
        FormatArg::Jsonl => InputFormat::Jsonl,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut options = StreamOptions {
        keep_going: args.keep_going,
        chunk: StreamOptions::chunk_for_batch_size(args.model.batch_size),
        output: match args.output {
            OutputArg::Json => OutputFormat::Json,
            OutputArg::Text => OutputFormat::Text,
        },
    };
    let input = args.input.as_deref().filter(|p| *p != Path::new("-"));
    let summary = if !args.text.is_empty() {
        let records = args
            .text
            .into_iter()
            .enumerate()
            .map(|(i, text)| Ok(InputRecord { line: i + 1, text }));
        extract_stream(&extractor, records, "argument", &mut out, options)?
    } else if let Some(path) = input {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = progress_bar(size, "{bar:40} {bytes}/{total_bytes} {elapsed} ETA {eta}");
        let reader = BufReader::new(bar.wrap_read(file));
        let name = path.display().to_string();
        let records = RecordReader::new(reader, name.clone(), format);
        let summary = extract_stream(&extractor, records, &name, &mut out, options);
        bar.finish_and_clear();
        summary?
    } else {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            // Answer each line as it is typed.
            options.chunk = 1;
            tracing::info!("reading texts from stdin, one per line (Ctrl-D ends)");
        }
        let records = RecordReader::new(stdin.lock(), "stdin", format);
        extract_stream(&extractor, records, "stdin", &mut out, options)?
    };
    if summary.skipped > 0 {
        tracing::warn!(
            skipped = summary.skipped,
            written = summary.written,
            "{} of {} inputs were skipped (--keep-going)",
            summary.skipped,
            summary.records
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn data_file(data: &Path, split: &str) -> Result<PathBuf> {
    if data.is_file() {
        return Ok(data.to_owned());
    }
    if !data.is_dir() {
        anyhow::bail!("data set {} does not exist", data.display());
    }
    let candidates = [format!("{split}.json"), format!("{split}.jsonl")];
    candidates
        .iter()
        .map(|f| data.join(f))
        .find(|p| p.is_file())
        .with_context(|| {
            format!(
                "no {split} split in {} (looked for {})",
                data.display(),
                candidates.join(", ")
            )
        })
}

pub fn eval(args: EvalArgs) -> Result<ExitCode> {
    let config = pipeline_config(&args.model, None);
    let model = Model::open_with(&model_dir(&args.model)?, verify(&args.model))?;
    let predictor = Predictor::load(model, &config)?;
    let path = data_file(&args.data, &args.split)?;
    let format = DataFormat::detect(&path)?;
    let dataset = rin_core::load_file(&path, format, predictor.model().relations())
        .with_context(|| format!("cannot load {}", path.display()))?;
    let bar = progress_bar(
        dataset.sentences.len() as u64,
        "{bar:40} {pos}/{len} sentences {elapsed} ETA {eta}",
    );
    let report = match args.documents {
        Some(0) => anyhow::bail!("--documents: a document holds at least 1 sentence"),
        Some(n) => {
            predictor.evaluate_documents(&dataset, n, &mut |done| bar.set_position(done as u64))
        }
        None => predictor.evaluate(&dataset, &mut |done| bar.set_position(done as u64)),
    };
    bar.finish_and_clear();
    let report = report?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({
            "model": predictor.model().dir(),
            "k": predictor.k(),
            "provider": predictor.provider().name(),
            "threshold": predictor.threshold(),
            "match_mode": predictor.match_mode(),
            "data": path,
            "format": format,
            "sentences": dataset.sentences.len(),
            "gold_triples": dataset.triple_count(),
            "documents_of": args.documents,
            "segmenter": args.documents.map(|_| predictor.segmenter().metadata().name.clone()),
            "triples": prf_json(&report.triples),
            "cells": prf_json(&report.cells),
            "entities": prf_json(&report.entities),
        });
        writeln!(out, "{json}")?;
    } else {
        writeln!(
            out,
            "model {} (K = {}, {}, threshold {}, {:?} match)",
            predictor.model().dir().display(),
            predictor.k(),
            predictor.provider().name(),
            predictor.threshold(),
            predictor.match_mode()
        )?;
        writeln!(
            out,
            "data  {} ({format}, {} sentences, {} gold triples)",
            path.display(),
            dataset.sentences.len(),
            dataset.triple_count()
        )?;
        write_report(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn prf_json(p: &Prf) -> serde_json::Value {
    serde_json::json!({
        "precision": p.precision(),
        "recall": p.recall(),
        "f1": p.f1(),
        "correct": p.correct,
        "predicted": p.predicted,
        "gold": p.gold,
    })
}

fn write_report(out: &mut impl Write, report: &EvalReport) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<10} {:>9} {:>9} {:>9} {:>8} {:>9} {:>6}",
        "", "precision", "recall", "f1", "correct", "predicted", "gold"
    )?;
    for (name, p) in [
        ("triples", &report.triples),
        ("cells", &report.cells),
        ("entities", &report.entities),
    ] {
        writeln!(
            out,
            "{name:<10} {:>9.4} {:>9.4} {:>9.4} {:>8} {:>9} {:>6}",
            p.precision(),
            p.recall(),
            p.f1(),
            p.correct,
            p.predicted,
            p.gold
        )?;
    }
    Ok(())
}

pub fn info(args: InfoArgs) -> Result<ExitCode> {
    let model = Model::open(&args.model)?;
    let plugins = Plugins::resolve(args.plugin_dir.as_deref())?;
    let tokenizer = plugin::tokenizer_name(&model, None).to_owned();
    let tagger = plugin::tagger_name(&model, None).map(str::to_owned);
    let locate = |name: &str| -> std::result::Result<PathBuf, String> {
        rin_plugin_host::PluginDir::new(plugins.dir())
            .find(name)
            .map_err(|e| e.to_string())
    };
    let tagger_check = tagger.as_deref().map(|name| {
        plugins
            .tagger(name)
            .map_err(|e| rin_runtime::error::error_chain(&e))
            .and_then(|t| {
                plugin::check_tagger(&model, t.info(), false)
                    .map(|()| t.info().clone())
                    .map_err(|e| e.to_string())
            })
    });
    let m = &model.manifest().manifest;
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = serde_json::to_value(model.manifest())?;
        value["runtime"] = serde_json::json!({
            "plugin_dir": plugins.dir(),
            "tokenizer": { "name": tokenizer, "path": locate(&tokenizer).ok(), "error": locate(&tokenizer).err() },
            "tagger": tagger.as_ref().map(|name| serde_json::json!({
                "name": name,
                "path": locate(name).ok(),
                "check": match &tagger_check { Some(Ok(_)) => "ok".to_owned(), Some(Err(e)) => e.clone(), None => String::new() },
            })),
        });
        writeln!(out, "{value}")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "model      {}", model.dir().display())?;
    writeln!(
        out,
        "format     {} version {} ({})",
        m.format, m.format_version, m.producer
    )?;
    let several = m.precisions().len() > 1;
    let ks: Vec<String> = m
        .graphs
        .iter()
        .map(|g| {
            format!(
                "{}{}{}",
                g.k,
                if several {
                    format!(" {}", m.precision_of(g))
                } else {
                    String::new()
                },
                if g.trained { "" } else { " (untrained)" }
            )
        })
        .collect();
    writeln!(
        out,
        "K          trained {}; exported {}{}",
        m.trained_k,
        ks.join(", "),
        if m.deep_supervision {
            "; deep supervision"
        } else {
            ""
        }
    )?;
    writeln!(
        out,
        "config     word dim {}, POS dim {}, LSTM {}x2, relation hidden {}, {:?} interaction",
        m.config.word_dim,
        m.config.pos_dim,
        m.config.lstm_hidden,
        m.config.relation_hidden,
        m.config.interaction
    )?;
    writeln!(
        out,
        "decoding   {:?} match, threshold {}",
        m.match_mode, m.threshold
    )?;
    let r = &m.reading;
    writeln!(
        out,
        "reading    segmenter {}; a text of up to {} tokens and {} sentences read whole, else {}",
        r.segmenter,
        r.chunk_tokens,
        r.whole_sentences,
        match r.links {
            rin_core::reading::SentenceLinks::Anaphora => match &r.continuation {
                None => "cut where a sentence does not open with a pronoun".to_string(),
                Some(c) => format!(
                    "cut where the learned continuation ({} features) is below {}",
                    c.weights.len(),
                    c.threshold
                ),
            },
            rin_core::reading::SentenceLinks::Pairs => format!(
                "each sentence and chunks of {} sentences (links between sentences need {})",
                r.chunk_sentences, r.joint_threshold
            ),
            rin_core::reading::SentenceLinks::Orphans => format!(
                "cut where a sentence does not open with a pronoun; adjacent texts read together link entities left unlinked (at {})",
                r.joint_threshold
            ),
        }
    )?;
    if let Some(f1) = m.dev_f1 {
        writeln!(out, "dev F1     {:.4}", f1)?;
    }
    if let Some(averaged) = m.source.averaged {
        writeln!(out, "weights    {averaged} (rin-train --average-from)")?;
    }
    let precisions = rin_core::manifest::precision_list(&m.precisions());
    let precisions = if several {
        format!("{precisions} (default {})", m.default_precision())
    } else {
        precisions
    };
    match &m.precision_gate {
        Some(g) => writeln!(
            out,
            "precision  {}; dev triple F1 at export (K = {}): fp32 {:.2}, {} (a loss of {} allowed) on {}",
            precisions,
            g.k,
            g.fp32_f1 * 100.0,
            gate_variants(g).join(", "),
            g.max_f1_drop,
            g.data
        )?,
        None => writeln!(out, "precision  {precisions}")?,
    }
    let table = m.word_table();
    let kept = if table.rows < table.checkpoint_rows {
        format!(
            " of the checkpoint's {} (a frequency cut: the rest read as UNK)",
            table.checkpoint_rows
        )
    } else {
        String::new()
    };
    writeln!(
        out,
        "words      {}{kept}, {} rows (looked up {})",
        m.words.len(),
        table.precision,
        m.word_lookup
    )?;
    writeln!(
        out,
        "relations  {}: {}",
        m.relations.len(),
        preview(&m.relations, 12)
    )?;
    match &m.pos {
        Some(pos) => {
            writeln!(
                out,
                "POS        tag set {} ({} tags), from {}",
                pos.tagset,
                pos.vocab.len().saturating_sub(2),
                model.pos_source().unwrap_or_default()
            )?;
            writeln!(
                out,
                "POS tags   {}",
                preview(&pos.vocab.tokens()[2.min(pos.vocab.len())..], 60)
            )?;
        }
        None => writeln!(out, "POS        none (the model reads no POS tags)")?,
    }
    writeln!(out, "plugins    {}", plugins.dir().display())?;
    let show = |r: std::result::Result<PathBuf, String>| match r {
        Ok(path) => path.display().to_string(),
        Err(e) => format!("NOT FOUND ({e})"),
    };
    writeln!(
        out,
        "tokenizer  {} -> {}",
        tokenizer,
        show(locate(&tokenizer))
    )?;
    if let (Some(name), Some(check)) = (&tagger, &tagger_check) {
        let status = match check {
            Ok(info) => format!(
                "tag set {} ({} tags): matches the model",
                info.tagset,
                info.tags.len()
            ),
            Err(e) => e.clone(),
        };
        writeln!(
            out,
            "tagger     {} -> {}; {}",
            name,
            show(locate(name)),
            status
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn preview(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    if items.len() > max {
        s.push_str(&format!(" ... ({} more)", items.len() - max));
    }
    s
}

pub fn export(args: ExportArgs) -> Result<ExitCode> {
    let ks = ks_of(&args.k, "--k")?;
    let reading = args.reading.overrides();
    // An export starts from the default plan, which has no learned continuation: a threshold
    // for one would otherwise vanish from the manifest without a word.
    reading
        .check_against(&Default::default())
        .map_err(|reason| anyhow::anyhow!("invalid reading plan: {reason}"))?;
    let options = rin_exporter::ExportOptions {
        ks,
        which: args.from.clone(),
        relation_output: match args.outputs {
            OutputsArg::Dense => RelationOutput::Dense,
            OutputsArg::Sparse => RelationOutput::Sparse,
        },
        reading: reading.over(&Default::default()),
        precisions: rin_exporter::export::select_precisions(
            &args.precision.iter().map(|&p| p.into()).collect::<Vec<_>>(),
        ),
        max_words: args.max_words,
        word_table: args.word_table.into(),
        threshold: args.threshold,
    };
    if let Some(&reduced) = options.precisions.iter().find(|&&p| p != Precision::Fp32) {
        if args.format == ExportFormat::Triton {
            anyhow::bail!("--precision {reduced} is for rin's own export folders; Triton repositories are exported fp32");
        }
        return export_gated(&args, options);
    }
    if args.format == ExportFormat::Triton {
        if args.outputs == OutputsArg::Sparse {
            anyhow::bail!("--outputs sparse is for rin's own export folders; Triton repositories are exported dense");
        }
        return export_triton(&args, &options);
    }
    let report = rin_exporter::export(&args.checkpoint, &args.out, &options)?;
    print_export(&report)?;
    Ok(ExitCode::SUCCESS)
}

fn print_export(report: &rin_exporter::ExportReport) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "exported {} -> {}",
        report.checkpoint_dir.display(),
        report.out_dir.display()
    )?;
    for file in &report.manifest.files {
        writeln!(
            out,
            "  {:<24} {:>12} bytes  sha256 {}",
            file.path, file.bytes, file.sha256
        )?;
    }
    Ok(())
}

/// Folders removed when dropped: the staging folders of a gated export, on every exit path.
struct Staging(Vec<PathBuf>);

impl Drop for Staging {
    fn drop(&mut self) {
        for dir in &self.0 {
            if dir.exists() {
                if let Err(e) = std::fs::remove_dir_all(dir) {
                    tracing::warn!("cannot remove {}: {e}", dir.display());
                }
            }
        }
    }
}

/// `rin export --precision int8` (or `fp16`, `fp32,int8,fp16`...): exports into a hidden staging
/// folder next to `--out` (and fp32 alone into another when fp32 was not asked for: the gate's
/// reference), scores fp32 and each reduced precision on the dev set, and renames the staging
/// folder into place only when each loses at most `--max-f1-drop` F1 points; otherwise nothing
/// is left behind.
fn export_gated(args: &ExportArgs, options: rin_exporter::ExportOptions) -> Result<ExitCode> {
    use rin_core::manifest::{ManifestFile, PrecisionGate, MANIFEST_FILE};

    let out = &args.out;
    if out.exists() {
        let empty = out.is_dir() && std::fs::read_dir(out)?.next().is_none();
        if !empty {
            anyhow::bail!(
                "{} exists: a gated ({}) export is written to a new (or empty) folder",
                out.display(),
                variants_named(&options.precisions)
            );
        }
    }
    let name = out
        .file_name()
        .with_context(|| format!("--out {} names no folder", out.display()))?
        .to_string_lossy()
        .into_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let pid = std::process::id();
    let staged_dir = parent.join(format!(".{name}.export-{pid}"));
    let reference_dir = (!options.precisions.contains(&Precision::Fp32))
        .then(|| parent.join(format!(".{name}.fp32-{pid}")));
    let staging = Staging(
        std::iter::once(staged_dir.clone())
            .chain(reference_dir.clone())
            .collect(),
    );

    let mut report = rin_exporter::export(&args.checkpoint, &staged_dir, &options)?;
    let fp32_dir = match &reference_dir {
        Some(dir) => {
            let fp32_options = rin_exporter::ExportOptions {
                precisions: vec![Precision::Fp32],
                ..options.clone()
            };
            rin_exporter::export(&args.checkpoint, dir, &fp32_options)?;
            dir
        }
        None => &staged_dir,
    };

    let data = args
        .gate_data
        .clone()
        .unwrap_or_else(|| report.manifest.manifest.data.dir.clone());
    let path = data_file(&data, "dev")
        .context("the precision gate scores the dev split (pass --gate-data DIR)")?;
    let (k, fp32_f1) =
        dev_f1(fp32_dir, Precision::Fp32, &path).context("scoring the fp32 graphs")?;
    let mut gate = PrecisionGate {
        data: path.display().to_string(),
        k,
        fp32_f1,
        int8_f1: None,
        fp16_f1: None,
        max_f1_drop: args.max_f1_drop,
    };
    for &variant in options.precisions.iter().filter(|&&p| p != Precision::Fp32) {
        let (_, f1) = dev_f1(&staged_dir, variant, &path)
            .with_context(|| format!("scoring the {variant} graphs"))?;
        gate.set_f1(variant, f1);
        tracing::info!(
            fp32 = fp32_f1 * 100.0,
            %variant,
            f1 = f1 * 100.0,
            drop = gate.drop_points(variant),
            "dev triple F1 (K = {k})"
        );
    }
    if let Some(&(variant, f1)) = gate
        .variants()
        .iter()
        .find(|&&(p, _)| gate.drop_points(p) > args.max_f1_drop)
    {
        anyhow::bail!(
            "{variant} export refused: dev triple F1 {:.2} against fp32 {:.2} ({:.2} points lost, \
             --max-f1-drop {}) on {}; nothing written to {}",
            f1 * 100.0,
            fp32_f1 * 100.0,
            gate.drop_points(variant),
            args.max_f1_drop,
            path.display(),
            out.display()
        );
    }
    let summary = std::iter::once(format!("fp32 {:.2}", fp32_f1 * 100.0))
        .chain(gate_variants(&gate))
        .collect::<Vec<_>>()
        .join(", ");
    // manifest.json is not among the checksummed files: adding the gate keeps them valid.
    report.manifest.manifest.precision_gate = Some(gate);
    let manifest: &ManifestFile = &report.manifest;
    std::fs::write(
        staged_dir.join(MANIFEST_FILE),
        serde_json::to_vec_pretty(manifest)?,
    )
    .with_context(|| format!("cannot write {}", staged_dir.join(MANIFEST_FILE).display()))?;
    if out.exists() {
        std::fs::remove_dir(out).with_context(|| format!("cannot replace {}", out.display()))?;
    }
    std::fs::rename(&staged_dir, out)
        .with_context(|| format!("cannot move the export to {}", out.display()))?;
    drop(staging);
    report.out_dir = out.clone();
    print_export(&report)?;
    writeln!(
        std::io::stdout().lock(),
        "dev triple F1 (K = {k}): {summary}"
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Each reduced precision of `gate` with its dev triple F1 and the change against fp32, in F1
/// points: `int8 82.37 (-0.04 points)`, as `rin export` and `rin info` print them.
fn gate_variants(gate: &rin_core::manifest::PrecisionGate) -> Vec<String> {
    gate.variants()
        .iter()
        .map(|&(p, f1)| {
            format!(
                "{p} {:.2} ({:+.2} points)",
                f1 * 100.0,
                (f1 - gate.fp32_f1) * 100.0
            )
        })
        .collect()
}

/// The reduced precisions among `precisions`, joined: `int8, fp16`.
fn variants_named(precisions: &[Precision]) -> String {
    let variants: Vec<Precision> = precisions
        .iter()
        .copied()
        .filter(|&p| p != Precision::Fp32)
        .collect();
    rin_core::manifest::precision_list(&variants)
}

/// The trained K and the triple F1 of the `precision` graphs in `dir` on the data file `path`.
fn dev_f1(dir: &Path, precision: Precision, path: &Path) -> Result<(usize, f64)> {
    let config = rin_runtime::pipeline::PipelineConfig {
        precision: Some(precision),
        ..Default::default()
    };
    let model = Model::open(dir)?;
    let predictor = Predictor::load(model, &config)?;
    let format = DataFormat::detect(path)?;
    let dataset = rin_core::load_file(path, format, predictor.model().relations())
        .with_context(|| format!("cannot load {}", path.display()))?;
    let report = predictor.evaluate(&dataset, &mut |_| {})?;
    Ok((predictor.k(), report.triples.f1()))
}

fn export_triton(args: &ExportArgs, options: &rin_exporter::ExportOptions) -> Result<ExitCode> {
    use rin_exporter::triton::{InstanceKind, TritonOptions, WeightsPlacement};
    let triton = TritonOptions {
        name: args.name.clone(),
        max_batch_size: args.max_batch_size,
        max_queue_delay_us: args.max_queue_delay_us,
        instances: args.instances,
        instance_kind: match args.instance_kind {
            InstanceArg::Auto => InstanceKind::Auto,
            InstanceArg::Cpu => InstanceKind::Cpu,
            InstanceArg::Gpu => InstanceKind::Gpu,
        },
    };
    let report =
        rin_exporter::triton::export_triton(&args.checkpoint, &args.out, options, &triton)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Triton model repository {} ({})",
        report.out_dir.display(),
        match report.weights {
            WeightsPlacement::HardLinked => "weights.bin hard-linked into each version folder",
            WeightsPlacement::Copied => "weights.bin copied into each version folder",
        }
    )?;
    for model in &report.models {
        writeln!(
            out,
            "  {:<16} {}/{{config.pbtxt, manifest.json, 1/model.onnx, 1/weights.bin}}",
            model.name,
            model.dir.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn plugins_list(args: PluginsListArgs) -> Result<ExitCode> {
    let plugins = Plugins::resolve(args.plugin_dir.as_deref())?;
    let listing = plugins.list()?;
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(out, "plugin directory {}", plugins.dir().display())?;
    }
    let mut found = 0;
    for entry in listing {
        match entry {
            Ok(p) if args.json => writeln!(out, "{}", serde_json::to_string(&p)?)?,
            Ok(p) => {
                found += 1;
                writeln!(
                    out,
                    "{:<10} {:<12} {:<8} {:<22} {}",
                    p.kind.to_string(),
                    p.name,
                    p.version,
                    p.tagset.as_deref().unwrap_or("-"),
                    p.description
                )?;
            }
            Err(e) => tracing::warn!("{}", rin_runtime::error::error_chain(&e)),
        }
    }
    if !args.json && found == 0 {
        tracing::warn!(
            "no plugins in {} (build them with `cargo build --workspace`, or pass --plugin-dir)",
            plugins.dir().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
