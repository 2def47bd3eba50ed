//! `rin-export`: a trained checkpoint in, ONNX graphs + shared weights + manifest out.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use cli::Cli;
use rin_exporter::{export, ExportOptions, ExportReport};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed stdout (`rin-export ... | head`) is not a failure: the export is written.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let options = ExportOptions {
        ks: cli.k.concat(),
        which: cli.from.dir_name().into(),
        relation_output: if cli.sparse {
            rin_exporter::rin_graph::RelationOutput::Sparse
        } else {
            rin_exporter::rin_graph::RelationOutput::Dense
        },
        max_words: cli.max_words,
        word_table: if cli.fp16_words {
            rin_core::manifest::WordTablePrecision::Fp16
        } else {
            rin_core::manifest::WordTablePrecision::Fp32
        },
        ..ExportOptions::default()
    };
    let report = export(&cli.checkpoint, &cli.out, &options).with_context(|| {
        format!(
            "cannot export {} to {}",
            cli.checkpoint.display(),
            cli.out.display()
        )
    })?;
    let mut out = std::io::stdout().lock();
    if cli.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report.manifest)?)?;
    } else {
        print_summary(&mut out, &report)?;
    }
    Ok(())
}

fn print_summary(out: &mut impl Write, report: &ExportReport) -> std::io::Result<()> {
    let m = &report.manifest.manifest;
    let ks: Vec<String> = m.exported_k.iter().map(usize::to_string).collect();
    writeln!(
        out,
        "exported K = {} (trained K = {}) from {} to {}",
        ks.join(", "),
        m.trained_k,
        report.checkpoint_dir.display(),
        report.out_dir.display()
    )?;
    for f in &report.manifest.files {
        writeln!(
            out,
            "  {:<16} {:>12} bytes  sha256 {}",
            f.path, f.bytes, f.sha256
        )?;
    }
    writeln!(out, "  manifest.json")?;
    if !report.ignored_tensors.is_empty() {
        writeln!(
            out,
            "  ignored checkpoint tensors: {}",
            report.ignored_tensors.join(", ")
        )?;
    }
    Ok(())
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn,rin_exporter=info",
        1 => "debug",
        _ => "trace",
    };
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal: logs redirected to a file stay plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
