//! `rin fit-continuation`: fits the learned continuation decision (`rin_core::continuation`) on
//! a data set's training texts, reports how it sorts the dev set's sentence boundaries, and with
//! `--write` records it in the model's `manifest.json` (`reading.continuation`).

use std::process::ExitCode;

use anyhow::{Context, Result};
use rin_core::continuation::Continuation;
use rin_core::manifest::{ManifestFile, MANIFEST_FILE};
use rin_core::reading::SentenceLinks;
use rin_core::DataFormat;
use rin_runtime::continuation_examples::{continuation_examples, Example};
use rin_runtime::{chunk, Model, Predictor};

use crate::cli::FitContinuationArgs;
use crate::commands::data_file;
use crate::model_options::{model_dir, pipeline_config, verify};

pub fn fit_continuation(args: FitContinuationArgs) -> Result<ExitCode> {
    if args.documents < 2 {
        anyhow::bail!("--documents: at least 2 texts per document, or no boundary is seen");
    }
    let dir = model_dir(&args.model)?;
    let model = Model::open_with(&dir, verify(&args.model))?;
    let predictor = Predictor::load(model, &pipeline_config(&args.model, None))?;
    let examples = |split: &str| -> Result<Vec<Example>> {
        let path = data_file(&args.data, split)?;
        let dataset = rin_core::load_file(
            &path,
            DataFormat::detect(&path)?,
            predictor.model().relations(),
        )
        .with_context(|| format!("cannot load {}", path.display()))?;
        Ok(continuation_examples(&predictor, &dataset, args.documents)?)
    };
    let train = examples("train")?;
    if train.is_empty() {
        anyhow::bail!("no examples: the model reads no POS tags, which the features need");
    }
    let dev = examples("dev")?;
    let fitted = Continuation::fit(&train, args.l2, args.join_at);
    println!(
        "train: {} sentence boundaries, {} inside a text",
        train.len(),
        train.iter().filter(|(_, c)| *c).count()
    );
    // How the dev boundaries are sorted, against the pronoun list (the first feature names the
    // first word only when it is a closed-class word, which the pronouns are).
    let pronoun = |features: &[String]| {
        features[0]
            .strip_prefix("first=")
            .is_some_and(chunk::opens_with_anaphor)
    };
    let inside = dev.iter().filter(|(_, c)| *c).count();
    let count = |decide: &dyn Fn(&[String]) -> bool| {
        let joined: Vec<bool> = dev
            .iter()
            .filter(|(f, _)| decide(f))
            .map(|(_, c)| *c)
            .collect();
        let right = joined.iter().filter(|c| **c).count();
        (right, joined.len() - right)
    };
    let (right, wrong) = count(&|f| fitted.probability(f) >= fitted.threshold);
    let (p_right, p_wrong) = count(&pronoun);
    println!(
        "dev: {} boundaries, {inside} inside a text; joined at {}: {right} right, {wrong} across \
         texts; pronouns: {p_right} right, {p_wrong} across texts",
        dev.len(),
        fitted.threshold
    );
    let mut weights: Vec<(&String, &f32)> = fitted.weights.iter().collect();
    weights.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    println!("bias {:.3}", fitted.bias);
    for (name, weight) in weights.iter().take(25) {
        println!("{weight:8.3} {name}");
    }
    if args.write {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut manifest: ManifestFile = serde_json::from_str(&text)
            .with_context(|| format!("cannot parse {}", path.display()))?;
        manifest.manifest.reading.continuation = Some(fitted);
        let mut json = serde_json::to_string_pretty(&manifest)?;
        json.push('\n');
        std::fs::write(&path, json).with_context(|| format!("cannot write {}", path.display()))?;
        println!("recorded in {}", path.display());
        if manifest.manifest.reading.links == SentenceLinks::Pairs {
            // Recorded all the same: `--links anaphora` at run time, or a manifest edited back,
            // uses it.
            tracing::warn!(
                links = ?manifest.manifest.reading.links,
                "the model's reading links sentences as pairs: the continuation decision is used \
                 only with --links anaphora or orphans"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
