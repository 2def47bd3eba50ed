//! `rin-trainer`: trains the Recurrent Interaction Network (Sun et al., EMNLP 2020) for joint
//! entity and relation extraction with libtorch (tch), evaluates it with rin-core's decoding and
//! metrics, and writes checkpoints the exporter reads without libtorch.
//!
//! The model is specified in `docs/MODEL.md`; [`model::RinModel::forward`] is the pure inference
//! function the ONNX exporter's parity tests compare against.
//!
//! ```no_run
//! use rin_trainer::{config::TrainConfig, train::{train, Silent}};
//!
//! let config = TrainConfig {
//!     data_dir: "data/webnlg-star".into(),
//!     embeddings: Some("glove.6B.50d.txt.gz".into()),
//!     run_dir: "runs/webnlg-star".into(),
//!     pos_dim: 0, // "w/o POS": WebNLG* ships no POS tags
//!     epochs: 2,
//!     ..TrainConfig::default()
//! };
//! let outcome = train(config, &mut Silent)?;
//! println!("best dev F1 {:.2} at epoch {}", 100.0 * outcome.best_f1, outcome.best_epoch);
//! # Ok::<(), rin_trainer::Error>(())
//! ```

pub mod average;
pub mod batch;
pub mod checkpoint;
pub mod config;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod frozen;
pub mod joined_texts;
pub mod loss;
pub mod mentions;
pub mod model;
pub mod names;
pub mod neighbours;
pub mod optim;
pub mod pos;
pub mod predict;
pub mod rng;
pub mod split_texts;
pub mod start;
pub mod subnormals;
pub mod train;

pub use checkpoint::{Checkpoint, CheckpointMeta};
pub use config::{DeviceChoice, Interaction, ModelConfig, TrainConfig};
pub use error::{Error, Result};
pub use model::RinModel;
pub use predict::{ExtractedTriple, Predictor};
