//! A terminal [`Reporter`]: one indicatif bar per epoch with the running loss and sentences/s,
//! then one line with the dev scores.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use rin_trainer::train::{EpochRecord, Reporter};

/// Draws a progress bar per epoch on stderr (hidden when stderr is not a terminal).
#[derive(Debug)]
pub struct BarReporter {
    bar: Option<ProgressBar>,
    start: Instant,
    sentences: usize,
    loss_sum: f64,
    steps: usize,
}

impl Default for BarReporter {
    fn default() -> Self {
        BarReporter {
            bar: None,
            start: Instant::now(),
            sentences: 0,
            loss_sum: 0.0,
            steps: 0,
        }
    }
}

impl Reporter for BarReporter {
    fn epoch_start(&mut self, epoch: usize, epochs: usize, batches: usize, _sentences: usize) {
        let bar = ProgressBar::new(batches as u64);
        let style = ProgressStyle::with_template(
            "epoch {prefix} [{bar:30}] {pos}/{len} batches  {msg}  eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(format!("{epoch}/{epochs}"));
        self.bar = Some(bar);
        self.start = Instant::now();
        self.sentences = 0;
        self.loss_sum = 0.0;
        self.steps = 0;
    }

    fn step(&mut self, sentences: usize, loss: f64) {
        self.sentences += sentences;
        self.loss_sum += loss;
        self.steps += 1;
        if let Some(bar) = &self.bar {
            let rate = self.sentences as f64 / self.start.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "loss {:.4}  {rate:.0} sent/s",
                self.loss_sum / self.steps as f64
            ));
            bar.inc(1);
        }
    }

    fn evaluating(&mut self) {
        if let Some(bar) = &self.bar {
            bar.set_message("evaluating on dev".to_string());
        }
    }

    fn epoch_end(&mut self, r: &EpochRecord) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        eprintln!(
            "epoch {:>3}  loss {:.4}  {:.1}s ({:.0} sent/s)  dev P {:.2} R {:.2} F1 {:.2}  entity F1 {:.2}{}{}{}",
            r.epoch,
            r.train_loss,
            r.train_seconds,
            r.sentences_per_second,
            100.0 * r.dev.triples.precision,
            100.0 * r.dev.triples.recall,
            100.0 * r.dev.triples.f1,
            100.0 * r.dev.entities.f1,
            r.watch_dev
                .as_ref()
                .map(|w| format!("  watch F1 {:.2}", 100.0 * w.triples.f1))
                .unwrap_or_default(),
            average_scores(r),
            if r.improved { "  *best*" } else { "" }
        );
    }
}

/// The weight average's dev (and watch) F1, when the run keeps one (`--average-from`).
fn average_scores(r: &EpochRecord) -> String {
    let Some(dev) = &r.average_dev else {
        return String::new();
    };
    let watch = r
        .average_watch_dev
        .as_ref()
        .map(|w| format!(" watch {:.2}", 100.0 * w.triples.f1))
        .unwrap_or_default();
    format!("  average: dev F1 {:.2}{watch}", 100.0 * dev.triples.f1)
}
