//! Runs the subcommands.

use std::io::{BufRead, Write};

use anyhow::Context;
use rin_trainer::config::{Interaction, TrainConfig};
use rin_trainer::eval::{evaluate_checkpoint, EvalRequest, RunsSummary, Scores};
use rin_trainer::train::{self, ResumeOverrides, TrainOutcome};
use rin_trainer::Predictor;

use crate::cli::{Command, EvalArgs, PredictArgs, TrainArgs};
use crate::progress_bar::BarReporter;

/// Dispatches a subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Train(args) => train_command(*args),
        Command::Eval(args) => eval_command(args),
        Command::Predict(args) => predict_command(args),
    }
}

fn train_command(args: TrainArgs) -> anyhow::Result<()> {
    let mut reporter = BarReporter::default();
    let outcome: TrainOutcome = if args.resume {
        if args.data.is_some() || args.k.is_some() || args.embeddings.is_some() {
            tracing::warn!("--resume continues with the settings stored in the checkpoint; only --epochs, --patience, --device and --threads are read");
        }
        let overrides = ResumeOverrides {
            epochs: args.epochs,
            patience: args.patience,
            device: args.device,
            threads: args.threads,
        };
        train::resume(&args.run_dir, &overrides, &mut reporter)
            .with_context(|| format!("cannot resume {}", args.run_dir.display()))?
    } else {
        let defaults = TrainConfig::default();
        let config = TrainConfig {
            data_dir: args.data.clone().context("--data is required")?,
            format: args.format,
            match_mode: args.match_mode.map(Into::into),
            embeddings: args.embeddings.clone(),
            pos_dim: if args.no_pos { 0 } else { defaults.pos_dim },
            k: args.k,
            interaction: match (args.no_er, args.no_rc) {
                (true, _) => Interaction::NoEr,
                (_, true) => Interaction::NoRc,
                _ => Interaction::Full,
            },
            deep_supervision: args.deep_supervision,
            dropout: args.dropout,
            lr: args.lr,
            batch_size: args.batch,
            epochs: args.epochs.unwrap_or(defaults.epochs),
            patience: args.patience.unwrap_or(defaults.patience),
            clip: args.clip,
            seed: args.seed,
            device: args.device.unwrap_or_default(),
            threads: args.threads,
            run_dir: args.run_dir.clone(),
            pos_tagger: args.pos_tagger.clone(),
            retag_pos: args.retag_pos,
            plugin_dir: args.plugin_dir.clone(),
            threshold: args.threshold,
            train_limit: args.train_limit,
            dev_limit: args.dev_limit,
            train_split: args.train_split.clone(),
            dev_holdout: args.dev_holdout,
            glove_words: args.glove_words,
            name_substitution: args.name_substitution,
            substitute_neighbours: args.substitute_neighbours,
            substitution_unit: args.substitution_unit,
            freeze_vectors: args.freeze_vectors,
            freeze_added_vectors: args.freeze_added_vectors,
            watch_dev: args.watch_dev.clone(),
            join_texts: args.join_texts,
            join_order: args.join_order,
            split_texts: args.split_texts,
            init_from: args.init_from.clone(),
            average_from: args.average_from,
            ..defaults
        };
        train::train(config, &mut reporter).context("training failed")?
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} epochs; best dev F1 {:.2} at epoch {}{}; checkpoints in {}",
        outcome.epochs,
        100.0 * outcome.best_f1.max(0.0),
        outcome.best_epoch,
        if outcome.stopped_early {
            " (stopped early)"
        } else {
            ""
        },
        outcome.run_dir.display()
    )?;
    Ok(())
}

fn eval_command(args: EvalArgs) -> anyhow::Result<()> {
    train::set_threads(args.threads);
    let mut runs = Vec::new();
    for checkpoint in &args.checkpoint {
        let request = EvalRequest {
            checkpoint: checkpoint.clone(),
            split: args.split.clone(),
            data_dir: args.data.clone(),
            mode: args.match_mode.map(Into::into),
            threshold: args.threshold,
            k: args.k,
            device: args.device,
            batch_size: args.batch,
            plugin_dir: args.plugin_dir.clone(),
        };
        let summary = evaluate_checkpoint(&request)
            .with_context(|| format!("cannot evaluate {}", checkpoint.display()))?;
        if !args.json {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{} on {} ({} sentences, K={}, {:?} match, threshold {})",
                checkpoint.display(),
                summary.split,
                summary.sentences,
                summary.k,
                summary.mode,
                summary.threshold
            )?;
            write!(out, "{}", summary.scores)?;
        }
        runs.push(summary);
    }
    let scores: Vec<Scores> = runs.iter().map(|r| r.scores).collect();
    let across = RunsSummary::of(&scores).filter(|_| runs.len() > 1);
    let mut out = std::io::stdout().lock();
    match (args.json, across) {
        (true, None) => {
            let only = runs.first().context("no checkpoint given")?;
            serde_json::to_writer_pretty(&mut out, only)?
        }
        (true, Some(across)) => serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({ "runs": runs, "checkpoints": args.checkpoint, "summary": across }),
        )?,
        (false, Some(across)) => write!(out, "{across}")?,
        (false, None) => return Ok(()),
    }
    if args.json {
        writeln!(out)?;
    }
    Ok(())
}

fn predict_command(args: PredictArgs) -> anyhow::Result<()> {
    let device = args.device.resolve()?;
    let mut predictor = Predictor::load(&args.checkpoint, device, args.plugin_dir.as_deref())
        .with_context(|| format!("cannot load {}", args.checkpoint.display()))?;
    if let Some(threshold) = args.threshold {
        anyhow::ensure!(
            rin_core::decode::is_threshold(threshold),
            "--threshold {threshold} is outside [0, 1]"
        );
        predictor = predictor.with_threshold(threshold);
    }
    let lines: Vec<String> = if args.sentences.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .collect::<Result<_, _>>()
            .context("cannot read stdin")?
    } else {
        args.sentences.clone()
    };
    let tokens: Vec<Vec<String>> = lines
        .iter()
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect();
    let triples = predictor.extract(&tokens, args.k)?;
    let mut out = std::io::stdout().lock();
    for (line, found) in lines.iter().zip(&triples) {
        if args.json {
            serde_json::to_writer(&mut out, found)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{line}")?;
            for t in found {
                writeln!(out, "  ({} | {} | {})", t.subject, t.relation, t.object)?;
            }
        }
    }
    Ok(())
}
