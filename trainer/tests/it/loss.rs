//! The loss: equal to PyTorch's BCE-with-logits and cross-entropy, and blind to padding.

use rin_core::PaddedBatch;
use rin_trainer::loss::layer_loss;
use rin_trainer::RinModel;
use tch::{Kind, Reduction, Tensor};

use crate::util::{batch_of, sentences, setup, tiny_config, tiny_model, vocabs};

fn layer0(model: &RinModel, batch: &rin_trainer::batch::TensorBatch) -> (Tensor, Tensor, Tensor) {
    let out = model
        .forward_t(
            &batch.word_ids,
            &batch.pos_ids,
            &batch.lengths,
            0,
            false,
            true,
        )
        .unwrap();
    (
        out.entity_logits[0].shallow_clone(),
        out.relation_logits[0].shallow_clone(),
        out.relation_inputs[0].shallow_clone(),
    )
}

#[test]
fn loss_equals_masked_bce_with_logits_and_cross_entropy() {
    let _torch = setup(11);
    let (_vs, model) = tiny_model(tiny_config(0));
    let s = sentences();
    let refs: Vec<_> = s.iter().collect();
    let batch = batch_of(&refs, 3);
    let (e, r, h) = layer0(&model, &batch);
    let ours = layer_loss(&model, &e, &r, &h, &batch);

    // Reference: a dense target and a cell mask, as the authors' code computes it.
    let (words, pos) = vocabs();
    let padded = PaddedBatch::new(&refs, &words, &pos);
    let relations = rin_core::RelationSet::from_names(vec!["a".into(), "b".into(), "c".into()]);
    let (b, n) = (3i64, 7i64);
    let target = Tensor::from_slice(&padded.relation_targets(&relations)).view([b, n, n, 3]);
    let mask = Tensor::from_slice(&padded.mask()).view([b, n]);
    let weight = (mask.unsqueeze(2) * mask.unsqueeze(1))
        .unsqueeze(-1)
        .expand([b, n, n, 3], false);
    let bce =
        r.binary_cross_entropy_with_logits(&target, Some(&weight), None, Reduction::Sum) / 3.0;
    let ce = e.reshape([-1, 5]).cross_entropy_loss::<Tensor>(
        &batch.tags.reshape([-1]),
        None,
        Reduction::Sum,
        -100,
        0.0,
    ) / 3.0;
    let close = |a: &Tensor, b: &Tensor| {
        let (a, b) = (a.double_value(&[]), b.double_value(&[]));
        assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "{a} vs {b}");
    };
    close(&ours.relation, &bce);
    close(&ours.entity, &ce);
    assert_eq!(target.sum(Kind::Float).double_value(&[]), 3.0);
}

#[test]
fn padded_cells_add_zero_loss() {
    let _torch = setup(12);
    let (_vs, model) = tiny_model(tiny_config(0));
    let s = sentences();
    let batch = batch_of(&s.iter().collect::<Vec<_>>(), 3);
    let (e, r, h) = layer0(&model, &batch);
    let base = layer_loss(&model, &e, &r, &h, &batch);
    // Huge logits wherever i or j is padding, and wrong tags at padded tokens' logits.
    let valid = batch.mask.unsqueeze(2) * batch.mask.unsqueeze(1);
    let padded_cells: Tensor = (1.0f64 - &valid).unsqueeze(-1);
    let r2 = &r + padded_cells * 50.0;
    let padded_tokens: Tensor = (1.0f64 - &batch.mask).unsqueeze(-1);
    let e2 = &e + padded_tokens * Tensor::from_slice(&[50.0f32, -50.0, 0.0, 0.0, 0.0]);
    let changed = layer_loss(&model, &e2, &r2, &h, &batch);
    let diff = |a: &Tensor, b: &Tensor| (a - b).abs().double_value(&[]);
    assert!(
        diff(&base.relation, &changed.relation) < 1e-3,
        "padded cells changed the relation loss"
    );
    assert!(
        diff(&base.entity, &changed.entity) < 1e-5,
        "padded tokens changed the entity loss"
    );
    // And a sentence alone gives the same sum as inside the padded batch.
    let mut total = 0.0;
    for sentence in &s {
        let alone = batch_of(&[sentence], 3);
        let (e, r, h) = layer0(&model, &alone);
        let l = layer_loss(&model, &e, &r, &h, &alone);
        total += (l.entity + l.relation).double_value(&[]);
    }
    let batched = (base.entity + base.relation).double_value(&[]) * 3.0;
    assert!(
        (total - batched).abs() < 1e-3 * batched.abs(),
        "{total} vs {batched}"
    );
}
