//! The RIN inference graph for one K (MODEL.md), unrolled, built with [`GraphBuilder`].
//!
//! ```text
//! word_ids, pos_ids [batch, seq] int64 ── Gather(E_w) (+ Cast when E_w is float16), Gather(E_p)
//!   ── Concat ── Transpose
//!   ── LSTM(bidirectional, sequence_lens = lengths) ── Transpose, Reshape ── H^0 [batch, seq, d]
//! layer_0:        Y_e^0 = softmax(H^0 W_e^T + b_e),  R^0 = C_r logits of H^0
//! interaction_k:  ybar  = sigmoid(max over valid j of R^{k-1}[:, :, j, :])   (padded j = -inf)
//!                 H_e^k = GRUCell_e(Y_e^{k-1}, H^{k-1}),  H_r^k = GRUCell_r(ybar, H^{k-1})
//!                 H^k   = H^{k-1} + H_e^k + H_r^k        (w/o ER: no H_e^k, w/o RC: no H_r^k)
//!                 Y_e^k = C_e(H_e^k),  R^k = C_r logits of H_r^k
//! outputs:        entity_probs = Y_e^K [batch, seq, 5],  relation_probs = sigmoid(R^K) [batch, seq, seq, R]
//! ```
//!
//! Pooling the logits and taking the sigmoid afterwards equals the max of the probabilities
//! (the sigmoid is increasing) and is what the trainer does; padded objects are set to -inf, so
//! the max runs over valid j only, exactly. Padded positions are not zeroed: like the trainer's
//! forward pass, the graph returns whatever the layers compute there (the LSTM output is zero
//! past each length); consumers read rows and columns `< length` only.

use crate::external::WeightFile;
use crate::graph::{Dim, GraphBuilder};
use crate::pb::{tensor_proto::DataType, GraphProto};
use crate::weights::names;
use rin_core::model_config::{Interaction, ModelConfig};

use crate::quantize;
pub use rin_core::manifest::{Precision, RelationOutput};
pub use rin_core::onnx_names::{
    BATCH, CELLS, ENTITY_PROBS, LENGTHS, POS_IDS, RELATION_CELLS, RELATION_PROBS, RELATION_SCORES,
    RELATION_THRESHOLD, SEQ, WORD_IDS,
};

/// The number of BIOES tags (`entity_probs`' last dimension).
pub const TAGS: i64 = rin_core::Tag::COUNT as i64;

/// Builds the graph of `config` unrolled to `k` interaction layers, its weights in `weights`,
/// with dense relation outputs.
pub fn build(config: &ModelConfig, k: usize, weights: &WeightFile) -> GraphProto {
    build_with(config, k, weights, RelationOutput::Dense)
}

/// [`build`] with the relation outputs of `output`.
pub fn build_with(
    config: &ModelConfig,
    k: usize,
    weights: &WeightFile,
    output: RelationOutput,
) -> GraphProto {
    build_precision(config, k, weights, output, Precision::Fp32)
}

/// [`build_with`] at `precision`. With [`Precision::Int8`] every matrix product but the LSTM's,
/// the relation head's pair-by-pair product (`n x n x d_m x R`, the graph's largest) above all,
/// runs as `DynamicQuantizeLinear` + `MatMulInteger` on the 8-bit weights of [`crate::quantize`]
/// (which `weights` must hold, [`crate::export::quantized_weights`]); there
/// is no extra channel, since a 1e30 mask would take the whole activation range of the quantizer:
/// the output layer adds `b_r` after the product (ONNX Runtime fuses it into the kernel) and the
/// pooled layers give padded objects token 0's features ([`ExtraChannel::CopyFirstObject`]).
/// With [`Precision::Fp16`] it is the fp32 graph with float16 weights and constants
/// ([`crate::fp16`], which `weights` must hold) and so float16 compute, up to the output softmax
/// and sigmoid, which are computed in float32 (a `Cast` before each): the outputs are float32.
pub fn build_precision(
    config: &ModelConfig,
    k: usize,
    weights: &WeightFile,
    output: RelationOutput,
    precision: Precision,
) -> GraphProto {
    let mut b = if precision == Precision::Fp16 {
        GraphBuilder::float16(format!("rin_k{k}"), weights)
    } else {
        GraphBuilder::new(format!("rin_k{k}"), weights)
    };
    // A float16 graph still computes and returns its probabilities in float32, so that decoding
    // reads the outputs it always reads and the sparse outputs' float32 threshold input compares
    // with float32 probabilities (`crate::fp16`).
    let output_f32 = precision == Precision::Fp16;
    let int8 = precision == Precision::Int8;
    let word_ids = b.input(
        WORD_IDS,
        DataType::Int64,
        &[Dim::Named(BATCH), Dim::Named(SEQ)],
    );
    let pos_ids = b.input(
        POS_IDS,
        DataType::Int64,
        &[Dim::Named(BATCH), Dim::Named(SEQ)],
    );
    let lengths = b.input(LENGTHS, DataType::Int32, &[Dim::Named(BATCH)]);
    let threshold = (output == RelationOutput::Sparse)
        .then(|| b.input(RELATION_THRESHOLD, DataType::Float, &[Dim::Fixed(1)]));

    let h0 = b.scoped("encoder", |b| {
        encoder(b, config, &word_ids, &pos_ids, &lengths)
    });
    // The relation head's extra input channel: the output bias in the last layer, the padding
    // mask in the layers that are pooled (see `relation_scores_of`).
    let channels = b.scoped("relation_channels", |b| {
        RelationChannels::new(b, &word_ids, &lengths, k > 0, precision)
    });
    let layer_0_extra = if k == 0 {
        &channels.output
    } else {
        channels.pool.as_ref().expect("built when k > 0")
    };
    let (mut entity_probs, mut relation_scores) = b.scoped("layer_0", |b| {
        let e = b.scoped("entity_head", |b| {
            entity_head(b, &h0, output_f32 && k == 0, int8)
        });
        let r = b.scoped("relation_head", |b| {
            relation_scores_of(b, &h0, channels.subject_zero.as_deref(), layer_0_extra)
        });
        (e, r)
    });

    if k > 0 {
        let mut h = h0;
        for layer in 1..=k {
            let last = layer == k;
            let (e, r, next_h) = b.scoped(&format!("interaction_{layer}"), |b| {
                // ybar = max over valid j of sigmoid(scores + b_r) = sigmoid(max_j(scores) + b_r):
                // the bias and the sigmoid move past the max (both are monotonic), and padded j
                // already score -1e30 (fp32's mask channel) or repeat token 0's scores (int8), so
                // the n x n x R work is the max alone.
                let ybar = b.scoped("pool", |b| {
                    let max = b.reduce_max("max_scores", &relation_scores, &[2]);
                    let bias = b.weight(names::RELATION_OUTPUT_BIAS);
                    let max = b.add("max_logits", &max, &bias);
                    b.sigmoid("ybar", &max)
                });
                let he = b.scoped("gru_e", |b| gru_cell(b, "gru_e", &entity_probs, &h, int8));
                let hr = b.scoped("gru_r", |b| gru_cell(b, "gru_r", &ybar, &h, int8));
                // H^K feeds nothing: the last layer skips the residual sum.
                let next_h = (!last).then(|| {
                    b.scoped("residual", |b| match config.interaction {
                        Interaction::Full => {
                            let s = b.add("h_plus_he", &h, &he);
                            b.add("h", &s, &hr)
                        }
                        Interaction::NoEr => b.add("h", &h, &hr),
                        Interaction::NoRc => b.add("h", &h, &he),
                    })
                });
                let e = b.scoped("entity_head", |b| {
                    entity_head(b, &he, output_f32 && last, int8)
                });
                let extra = if last {
                    &channels.output
                } else {
                    channels.pool.as_ref().expect("built when k > 0")
                };
                let r = b.scoped("relation_head", |b| {
                    relation_scores_of(b, &hr, channels.subject_zero.as_deref(), extra)
                });
                (e, r, next_h)
            });
            entity_probs = e;
            relation_scores = r;
            if let Some(next_h) = next_h {
                h = next_h;
            }
        }
    }

    let last = if k == 0 {
        "layer_0".to_owned()
    } else {
        format!("interaction_{k}")
    };
    let relation_probs = b.scoped(&last, |b| {
        b.scoped("relation_head", |b| {
            let scores = if output_f32 {
                b.cast("scores_f32", &relation_scores, DataType::Float)
            } else {
                relation_scores.clone()
            };
            b.sigmoid("probs", &scores)
        })
    });
    let relations = b.weight_dims(names::RELATION_OUTPUT_BIAS)[0] as i64;
    b.output(
        &entity_probs,
        ENTITY_PROBS,
        DataType::Float,
        &[Dim::Named(BATCH), Dim::Named(SEQ), Dim::Fixed(TAGS)],
    );
    match threshold {
        None => b.output(
            &relation_probs,
            RELATION_PROBS,
            DataType::Float,
            &[
                Dim::Named(BATCH),
                Dim::Named(SEQ),
                Dim::Named(SEQ),
                Dim::Fixed(relations),
            ],
        ),
        Some(threshold) => {
            // NonZero lists indices as [4, cells]; GatherND wants [cells, 4].
            let (cells, scores) = b.scoped("sparse_relations", |b| {
                let keep = b.greater_or_equal("keep", &relation_probs, &threshold);
                let at = b.non_zero("at", &keep);
                let cells = b.transpose("cells", &at, &[1, 0]);
                let scores = b.gather_nd("scores", &relation_probs, &cells);
                (cells, scores)
            });
            b.output(
                &cells,
                RELATION_CELLS,
                DataType::Int64,
                &[Dim::Named(CELLS), Dim::Fixed(4)],
            );
            b.output(
                &scores,
                RELATION_SCORES,
                DataType::Float,
                &[Dim::Named(CELLS)],
            );
        }
    }
    b.finish()
}

/// Embeddings and the BiLSTM: `H^0 [batch, seq, 2H]`.
fn encoder(
    b: &mut GraphBuilder<'_>,
    config: &ModelConfig,
    word_ids: &str,
    pos_ids: &str,
    lengths: &str,
) -> String {
    let word_table = b.weight(names::WORD_EMBEDDING);
    let words = b.scoped("word_embedding", |b| {
        let rows = b.gather("Gather", &word_table, word_ids);
        // A float16 table (`--word-table fp16`) halves the file; only the looked-up rows are
        // widened, so everything after the look-up runs in float32 as trained.
        let float = b.float_type();
        if b.weight_type(names::WORD_EMBEDDING) != float {
            b.cast("to_float", &rows, float)
        } else {
            rows
        }
    });
    let x = if config.uses_pos() {
        let pos_table = b.weight(names::POS_EMBEDDING);
        let pos = b.scoped("pos_embedding", |b| b.gather("Gather", &pos_table, pos_ids));
        b.concat("x", &[&words, &pos], -1)
    } else {
        words
    };
    b.scoped("lstm", |b| {
        let x = b.transpose("x_seq_first", &x, &[1, 0, 2]);
        let wrb = [
            b.weight(names::LSTM_W),
            b.weight(names::LSTM_R),
            b.weight(names::LSTM_B),
        ];
        let y = b.lstm(
            "LSTM",
            &x,
            [&wrb[0], &wrb[1], &wrb[2]],
            lengths,
            config.lstm_hidden,
        );
        // Y [seq, 2, batch, H] → [batch, seq, 2, H] → [batch, seq, 2H] (forward half first).
        let y = b.transpose("y_batch_first", &y, &[2, 0, 1, 3]);
        b.reshape("h0", &y, &[0, 0, -1])
    })
}

/// `C_e`: tag probabilities `softmax(H W_e^T + b_e)` `[batch, seq, 5]`; the softmax in float32
/// when `to_f32` (a float16 graph's output).
fn entity_head(b: &mut GraphBuilder<'_>, h: &str, to_f32: bool, int8: bool) -> String {
    let bias = b.weight(names::ENTITY_BIAS);
    let z = linear(b, "linear", h, names::ENTITY_WEIGHT_T, int8);
    let mut logits = b.add("logits", &z, &bias);
    if to_f32 {
        logits = b.cast("logits_f32", &logits, DataType::Float);
    }
    b.softmax("probs", &logits, -1)
}

/// What the relation head adds to its pair-by-pair product: the output bias `b_r` in the last
/// layer, -1e30 at padded objects in pooled layers.
enum ExtraChannel {
    /// fp32: one extra input channel of the product, its value on the object side
    /// `[batch, seq, 1]` (the subject side is 0) and its row of output weights `[1, R]`.
    Channel { object: String, weight_row: String },
    /// int8, output layer: a term added to the scaled product (`b_r`, `[R]`).
    Add(String),
    /// int8, pooled layers: `[batch, seq, 1]` true where j is a token. Padded objects take the
    /// object-side features of token 0 (every sentence has one), so that their scores repeat
    /// column 0's and the max over j is exactly the max over valid j, with no `n x n x R` mask
    /// pass (and no -1e30 for the quantizer to cover).
    CopyFirstObject(String),
}

/// The relation head's extra channels, built once per graph.
struct RelationChannels {
    /// fp32: `[batch, seq, 1]` zeros, the subject side of every extra channel.
    subject_zero: Option<String>,
    /// For the output layer: object side 1, weights `b_r`, so that the GEMM adds the bias.
    output: ExtraChannel,
    /// For pooled layers: object side 1e30 where j is padding (else 0), weights -1, so that padded
    /// objects score -1e30 and never win the max; the bias is added after the max.
    pool: Option<ExtraChannel>,
}

impl RelationChannels {
    fn new(
        b: &mut GraphBuilder<'_>,
        word_ids: &str,
        lengths: &str,
        pooled: bool,
        precision: Precision,
    ) -> Self {
        let relations = b.weight_dims(names::RELATION_OUTPUT_BIAS)[0] as i64;
        let padding = |b: &mut GraphBuilder<'_>, shape: &str, value: f32| {
            let seq_index = b.const_i64("seq_index", &[], &[1]);
            let step = b.const_i64("step", &[], &[1]);
            let start = b.const_i64("start", &[], &[0]);
            let seq = b.gather_axis("seq_len", shape, &seq_index, 0);
            let positions = b.range("positions", &start, &seq, &step);
            let lengths = b.cast("lengths_i64", lengths, DataType::Int64);
            let lengths = b.unsqueeze("lengths_column", &lengths, &[1]);
            let valid = b.less("valid", &positions, &lengths);
            let zero = b.const_float("valid_value", &[], &[0.0]);
            let big = b.const_float("padded_value", &[], &[value]);
            b.where_("padding", &valid, &zero, &big)
        };
        if precision == Precision::Int8 {
            // [batch, seq] -> [batch, seq, 1]: broadcast over the object features.
            let pool = pooled.then(|| {
                let shape = b.shape("input_shape", word_ids);
                let seq_index = b.const_i64("seq_index", &[], &[1]);
                let step = b.const_i64("step", &[], &[1]);
                let start = b.const_i64("start", &[], &[0]);
                let seq = b.gather_axis("seq_len", &shape, &seq_index, 0);
                let positions = b.range("positions", &start, &seq, &step);
                let lengths = b.cast("lengths_i64", lengths, DataType::Int64);
                let lengths = b.unsqueeze("lengths_column", &lengths, &[1]);
                let valid = b.less("valid", &positions, &lengths);
                ExtraChannel::CopyFirstObject(b.unsqueeze("valid_objects", &valid, &[2]))
            });
            let bias = b.weight(names::RELATION_OUTPUT_BIAS);
            return RelationChannels {
                subject_zero: None,
                output: ExtraChannel::Add(bias),
                pool,
            };
        }
        let shape = b.shape("input_shape", word_ids);
        let last_dim = b.const_i64("one_dim", &[1], &[1]);
        let channel_shape = b.concat("channel_shape", &[&shape, &last_dim], 0);
        let zero = b.const_float("zero", &[1, 1, 1], &[0.0]);
        let one = b.const_float("one", &[1, 1, 1], &[1.0]);
        let subject_zero = b.op("Expand", "subject_zero", &[&zero, &channel_shape], &[]);
        let ones = b.op("Expand", "object_one", &[&one, &channel_shape], &[]);
        let bias = b.weight(names::RELATION_OUTPUT_BIAS);
        let bias_row = b.unsqueeze("bias_row", &bias, &[0]);
        let output = ExtraChannel::Channel {
            object: ones,
            weight_row: bias_row,
        };
        let pool = pooled.then(|| {
            let mask = padding(b, &shape, 1e30);
            let object = b.unsqueeze("object_mask", &mask, &[2]);
            let minus_ones = b.const_float(
                "minus_ones",
                &[1, relations],
                &vec![-1.0; relations as usize],
            );
            ExtraChannel::Channel {
                object,
                weight_row: minus_ones,
            }
        });
        RelationChannels {
            subject_zero: Some(subject_zero),
            output,
            pool,
        }
    }
}

/// `C_r`'s scores `W_r ReLU(A h_i + B h_j + b_m)` `[batch, seq, seq, R]`, by broadcasting
/// `[batch, seq, 1, d_m + 1] + [batch, 1, seq, d_m + 1]` (never the `n x n x 2d` concatenation),
/// plus what the extra channel adds inside the same GEMM: the output bias `b_r`, or -1e30 at padded
/// objects. Both are exact for every other cell: the channel is 0 (or 1 times `b_r`), and ReLU
/// keeps it.
fn relation_scores_of(
    b: &mut GraphBuilder<'_>,
    h: &str,
    subject_zero: Option<&str>,
    extra: &ExtraChannel,
) -> String {
    let bm = b.weight(names::RELATION_HIDDEN_BIAS);
    match (extra, subject_zero) {
        (
            ExtraChannel::Channel {
                object: extra_object,
                weight_row,
            },
            Some(subject_zero),
        ) => {
            let a = b.weight(names::RELATION_SUBJECT_T);
            let o = b.weight(names::RELATION_OBJECT_T);
            let wr = b.weight(names::RELATION_OUTPUT_T);
            let subject = b.matmul("subject", h, &a);
            let subject = b.concat("subject_extended", &[&subject, subject_zero], -1);
            let subject = b.unsqueeze("subject_i", &subject, &[2]);
            let object = b.matmul("object", h, &o);
            let object = b.add("object_plus_bias", &object, &bm);
            let object = b.concat("object_extended", &[&object, extra_object], -1);
            let object = b.unsqueeze("object_j", &object, &[1]);
            let hidden = b.add("pair", &subject, &object);
            let hidden = b.relu("relu", &hidden);
            let weights = b.concat("output_weights", &[&wr, weight_row], 0);
            b.matmul("scores", &hidden, &weights)
        }
        (ExtraChannel::Add(_) | ExtraChannel::CopyFirstObject(_), _) => {
            let subject = quantized_matmul(b, "subject", h, names::RELATION_SUBJECT_T);
            let subject = b.unsqueeze("subject_i", &subject, &[2]);
            let object = quantized_matmul(b, "object", h, names::RELATION_OBJECT_T);
            let mut object = b.add("object_plus_bias", &object, &bm);
            if let ExtraChannel::CopyFirstObject(valid) = extra {
                let first = b.const_i64("first", &[1], &[0]);
                let first = b.gather_axis("first_object", &object, &first, 1);
                object = b.where_("valid_objects", valid, &object, &first);
            }
            let object = b.unsqueeze("object_j", &object, &[1]);
            let hidden = b.add("pair", &subject, &object);
            let hidden = b.relu("relu", &hidden);
            let product = quantized_matmul(b, "scores", &hidden, names::RELATION_OUTPUT_T);
            match extra {
                ExtraChannel::Add(term) => b.add("scores", &product, term),
                _ => product,
            }
        }
        (ExtraChannel::Channel { .. }, None) => {
            unreachable!("fp32 channels are built with their subject side")
        }
    }
}

/// `x W` for weight `name`: in 8 bits ([`quantized_matmul`]) in an int8 graph, else a float
/// `MatMul`.
fn linear(b: &mut GraphBuilder<'_>, label: &str, x: &str, name: &str, int8: bool) -> String {
    if int8 {
        quantized_matmul(b, label, x, name)
    } else {
        let w = b.weight(name);
        b.matmul(label, x, &w)
    }
}

/// `x W` for weight `name` stored in 8 bits per column ([`crate::quantize`]): `x` quantized at
/// run time, `Cast(MatMulInteger(x_q, W_q, x_zero_point, 0)) * (x_scale * W_scale)`, the pattern
/// ONNX Runtime fuses into one kernel (`DynamicQuantizeMatMul`).
fn quantized_matmul(b: &mut GraphBuilder<'_>, label: &str, x: &str, name: &str) -> String {
    b.scoped(&format!("{label}_int8"), |b| {
        let wq = b.weight(&quantize::values_name(name));
        let ws = b.weight(&quantize::scales_name(name));
        let [xq, xs, xz] = b.dynamic_quantize_linear("x", x);
        let wz = b.const_i8("weight_zero_point", &[], &[quantize::WEIGHT_ZERO_POINT]);
        let product = b.matmul_integer("product", &xq, &wq, [&xz, &wz]);
        let product = b.cast("product_f32", &product, DataType::Float);
        let scale = b.mul("scale", &xs, &ws);
        b.mul("scaled", &product, &scale)
    })
}

/// PyTorch's `GRUCell` on every token: gates r, z, n;
/// `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`, `h' = (1 - z) * n + z * h`, computed as
/// `(h - n) * z + n` like ATen's `gru_cell`.
fn gru_cell(b: &mut GraphBuilder<'_>, cell: &str, x: &str, h: &str, int8: bool) -> String {
    let b_ih = b.weight(&names::gru_bias_ih(cell));
    let b_hh = b.weight(&names::gru_bias_hh(cell));
    let gi = linear(b, "input_linear", x, &names::gru_weight_ih_t(cell), int8);
    let gi = b.add("input_gates", &gi, &b_ih);
    let gh = linear(b, "hidden_linear", h, &names::gru_weight_hh_t(cell), int8);
    let gh = b.add("hidden_gates", &gh, &b_hh);
    let gi = b.split("split_input_gates", &gi, -1, &["i_r", "i_z", "i_n"]);
    let gh = b.split("split_hidden_gates", &gh, -1, &["h_r", "h_z", "h_n"]);
    let r = b.add("r_sum", &gi[0], &gh[0]);
    let r = b.sigmoid("r", &r);
    let z = b.add("z_sum", &gi[1], &gh[1]);
    let z = b.sigmoid("z", &z);
    let rn = b.mul("r_times_h_n", &r, &gh[2]);
    let n = b.add("n_sum", &gi[2], &rn);
    let n = b.tanh("n", &n);
    let diff = b.sub("h_minus_n", h, &n);
    let zd = b.mul("z_times_diff", &diff, &z);
    b.add("h_new", &zd, &n)
}
