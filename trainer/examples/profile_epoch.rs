//! Where does a training epoch go? Times batch preparation, the encoder, the full forward pass,
//! the loss, the backward pass and the optimiser over one epoch of a data set.
//!
//! `cargo run -p rin-trainer --release --example profile_epoch -- DATA_DIR K THREADS [LIMIT] [--no-pos]`

use std::time::{Duration, Instant};

use rin_trainer::config::TrainConfig;
use rin_trainer::corpus::{self, Corpus};
use rin_trainer::model::RinModel;
use rin_trainer::optim::Adam;
use rin_trainer::{loss, pos, train, ModelConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(&args[1]);
    let k: usize = args[2].parse()?;
    let threads: i32 = args[3].parse()?;
    let limit: Option<usize> = args.get(4).and_then(|a| a.parse().ok());
    let no_pos = args.iter().any(|a| a == "--no-pos");
    tch::set_num_threads(threads);
    tch::manual_seed(1);
    let config = TrainConfig::default();
    let mut corpus = Corpus::load(&dir, None, &config.splits())?;
    corpus::truncate(&mut corpus.train, limit);
    if no_pos {
        pos::strip_pos(&mut corpus.train);
    }
    let vectors = corpus::word_vectors(&corpus.train, &[], None, 50, 0)?;
    let pos_vocab = pos::pos_vocab();
    let mc = ModelConfig {
        word_vocab: vectors.vocab.len(),
        word_dim: 50,
        pos_vocab: if no_pos { 0 } else { pos_vocab.len() },
        pos_dim: if no_pos { 0 } else { 10 },
        lstm_hidden: 50,
        relation_hidden: 100,
        relations: corpus.relations.len(),
        k,
        interaction: Default::default(),
        dropout: 0.1,
    };
    let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let model = RinModel::new(&vs.root(), mc);
    let mut adam = Adam::new(&vs, 5e-4);
    let lengths: Vec<usize> = corpus.train.sentences.iter().map(|s| s.len()).collect();
    let buckets = rin_core::length_buckets(&lengths, config.batch_size, Some(1));
    let (mut prep, mut enc, mut fwd, mut lossd, mut bwd, mut opt) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    let total = Instant::now();
    for bucket in &buckets {
        let t = Instant::now();
        let batch = train::make_batch(
            &corpus.train.sentences,
            bucket,
            &vectors.vocab,
            &pos_vocab,
            corpus.relations.len(),
            tch::Device::Cpu,
        );
        prep += t.elapsed();
        let t = Instant::now();
        // The encoder alone, forward and backward (an extra pass, subtracted from the total).
        let h0 = model.encode(&batch.word_ids, &batch.pos_ids, &batch.lengths, true)?;
        adam.zero_grad();
        h0.sum(tch::Kind::Float).backward();
        enc += t.elapsed();
        let t = Instant::now();
        let out = model.forward_t(
            &batch.word_ids,
            &batch.pos_ids,
            &batch.lengths,
            k,
            true,
            false,
        )?;
        fwd += t.elapsed();
        let t = Instant::now();
        let l = loss::loss(&model, &out, &batch);
        let _ = l.double_value(&[]);
        lossd += t.elapsed();
        let t = Instant::now();
        adam.zero_grad();
        l.backward();
        bwd += t.elapsed();
        let t = Instant::now();
        let _ = adam.clip_grad_norm(5.0);
        adam.step();
        opt += t.elapsed();
    }
    let all = total.elapsed();
    println!(
        "{} sentences, {} batches, K={k}, threads={threads}, R={}",
        lengths.len().min(limit.unwrap_or(usize::MAX)),
        buckets.len(),
        corpus.relations.len()
    );
    println!(
        "total {:.2}s (without the extra encoder pass: {:.2}s)",
        all.as_secs_f64(),
        (all - enc).as_secs_f64()
    );
    for (name, d) in [
        ("batch prep", prep),
        ("encoder fwd+bwd (extra pass)", enc),
        ("forward", fwd),
        ("loss", lossd),
        ("backward", bwd),
        ("clip + adam", opt),
    ] {
        println!("  {name:<30} {:7.2}s", d.as_secs_f64());
    }
    Ok(())
}
