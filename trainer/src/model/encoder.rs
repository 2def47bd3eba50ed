//! The encoder: word and POS embeddings, input dropout and a packed BiLSTM (MODEL.md, "Encoder").
//!
//! The BiLSTM runs on packed sequences (`_pack_padded_sequence` + `lstm_data`), so the backward
//! direction starts at each sentence's own last token and padding never changes a sentence's
//! result. Gate order is PyTorch's: i, f, g, o.

use tch::nn::{Init, Path};
use tch::{Kind, Tensor};

use crate::config::ModelConfig;

/// Word and POS embeddings followed by a one-layer BiLSTM.
#[derive(Debug)]
pub struct Encoder {
    /// `word_embedding.weight` `[V_w, d_w]`.
    pub(crate) word_embedding: Tensor,
    /// `pos_embedding.weight` `[V_p, d_p]`, absent for "w/o POS".
    pub(crate) pos_embedding: Option<Tensor>,
    /// `lstm.*` in the order `lstm_data` wants: w_ih, w_hh, b_ih, b_hh, then the `_reverse` four.
    lstm: Vec<Tensor>,
    hidden: i64,
    dropout: f64,
}

impl Encoder {
    /// Creates the parameters under `root` (`word_embedding`, `pos_embedding`, `lstm`), initialised
    /// as PyTorch does: embeddings N(0, 1), LSTM weights and biases U(-1/sqrt(H), 1/sqrt(H)).
    pub fn new(root: &Path, config: &ModelConfig) -> Self {
        let normal = Init::Randn {
            mean: 0.0,
            stdev: 1.0,
        };
        let word_embedding = (root / "word_embedding").var(
            "weight",
            &[config.word_vocab as i64, config.word_dim as i64],
            normal,
        );
        let pos_embedding = config.uses_pos().then(|| {
            (root / "pos_embedding").var(
                "weight",
                &[config.pos_vocab as i64, config.pos_dim as i64],
                normal,
            )
        });
        let hidden = config.lstm_hidden as i64;
        let input = config.input_dim() as i64;
        let bound = 1.0 / (hidden as f64).sqrt();
        let init = Init::Uniform {
            lo: -bound,
            up: bound,
        };
        let lstm_path = root / "lstm";
        let mut lstm = Vec::with_capacity(8);
        for suffix in ["", "_reverse"] {
            lstm.push(lstm_path.var(&format!("weight_ih_l0{suffix}"), &[4 * hidden, input], init));
            lstm.push(lstm_path.var(
                &format!("weight_hh_l0{suffix}"),
                &[4 * hidden, hidden],
                init,
            ));
            lstm.push(lstm_path.var(&format!("bias_ih_l0{suffix}"), &[4 * hidden], init));
            lstm.push(lstm_path.var(&format!("bias_hh_l0{suffix}"), &[4 * hidden], init));
        }
        Encoder {
            word_embedding,
            pos_embedding,
            lstm,
            hidden,
            dropout: config.dropout,
        }
    }

    /// `H^0` `[b, n, 2H]` for `word_ids` and `pos_ids` `[b, n]`; zeros after each sentence's end.
    ///
    /// `lengths` must lie in `1..=n` (checked by the caller). The batch may be in any order: it is
    /// sorted by length for packing and put back afterwards.
    pub fn forward_t(
        &self,
        word_ids: &Tensor,
        pos_ids: &Tensor,
        lengths: &[i64],
        train: bool,
    ) -> Tensor {
        let (b, n) = word_ids.size2().expect("word ids are [b, n]");
        let mut x = Tensor::embedding(&self.word_embedding, word_ids, -1, false, false);
        if let Some(pos) = &self.pos_embedding {
            let p = Tensor::embedding(pos, pos_ids, -1, false, false);
            x = Tensor::cat(&[x, p], 2);
        }
        let x = x.dropout(self.dropout, train);

        // Packing wants lengths in decreasing order. Batches built by the trainer already are;
        // anything else is permuted here and permuted back below.
        let sorted = lengths.windows(2).all(|w| w[0] >= w[1]);
        let (x, sorted_lengths, restore) = if sorted {
            (x, lengths.to_vec(), None)
        } else {
            let mut order: Vec<i64> = (0..b).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(lengths[i as usize]));
            let mut inverse = vec![0i64; order.len()];
            for (pos, &i) in order.iter().enumerate() {
                inverse[i as usize] = pos as i64;
            }
            let device = x.device();
            let order_t = Tensor::from_slice(&order).to_device(device);
            let sorted_lengths = order.iter().map(|&i| lengths[i as usize]).collect();
            (
                x.index_select(0, &order_t),
                sorted_lengths,
                Some(Tensor::from_slice(&inverse).to_device(device)),
            )
        };

        let lengths_t = Tensor::from_slice(&sorted_lengths);
        let (data, batch_sizes) = x.internal_pack_padded_sequence(&lengths_t, true);
        let zeros = Tensor::zeros([2, b, self.hidden], (Kind::Float, x.device()));
        let (packed, _, _) = Tensor::lstm_data(
            &data,
            &batch_sizes,
            &[&zeros, &zeros],
            &self.lstm.iter().collect::<Vec<_>>(),
            true,
            1,
            0.0,
            train,
            true,
        );
        let (h, _) = Tensor::internal_pad_packed_sequence(&packed, &batch_sizes, true, 0.0, n);
        match restore {
            Some(inverse) => h.index_select(0, &inverse),
            None => h,
        }
    }
}
