//! The model: shapes, padding invariance, gradients, K = 0, parameter names.

use rin_trainer::model::{interaction_parameter_names, parameter_names};
use rin_trainer::optim::Adam;
use rin_trainer::{loss, Interaction};
use tch::Tensor;

use crate::util::{batch_of, max_diff, sentences, setup, tiny_config, tiny_model};

#[test]
fn forward_has_the_documented_shapes() {
    let _torch = setup(1);
    let (_vs, model) = tiny_model(tiny_config(2));
    let s = sentences();
    let batch = batch_of(&s.iter().collect::<Vec<_>>(), 3);
    let (entity, relation) = model
        .forward(&batch.word_ids, &batch.pos_ids, &batch.lengths, 2)
        .unwrap();
    assert_eq!(entity.size(), [3, 7, 5]);
    assert_eq!(relation.size(), [3, 7, 7, 3]);
    // Probabilities: softmax rows sum to one, sigmoid outputs lie in (0, 1).
    let row_sums = entity.sum_dim_intlist(-1, false, tch::Kind::Float);
    assert!(max_diff(&row_sums, &row_sums.ones_like()) < 1e-5);
    assert!(relation.min().double_value(&[]) > 0.0 && relation.max().double_value(&[]) < 1.0);
    let out = model
        .forward_t(
            &batch.word_ids,
            &batch.pos_ids,
            &batch.lengths,
            2,
            false,
            true,
        )
        .unwrap();
    assert_eq!(out.entity_logits.len(), 3);
    assert_eq!(out.relation_logits.len(), 3);
    assert_eq!(out.relation_inputs[0].size(), [3, 7, 10]);
}

#[test]
fn padding_never_changes_a_sentence() {
    let _torch = setup(2);
    for interaction in [Interaction::Full, Interaction::NoEr, Interaction::NoRc] {
        let (_vs, model) = tiny_model(rin_trainer::ModelConfig {
            interaction,
            ..tiny_config(3)
        });
        let s = sentences();
        let batch = batch_of(&s.iter().collect::<Vec<_>>(), 3);
        let (entity, relation) = model
            .forward(&batch.word_ids, &batch.pos_ids, &batch.lengths, 3)
            .unwrap();
        for (b, sentence) in s.iter().enumerate() {
            let alone = batch_of(&[sentence], 3);
            let (e1, r1) = model
                .forward(&alone.word_ids, &alone.pos_ids, &alone.lengths, 3)
                .unwrap();
            let n = sentence.len() as i64;
            let e = entity.get(b as i64).narrow(0, 0, n);
            let r = relation.get(b as i64).narrow(0, 0, n).narrow(1, 0, n);
            assert!(
                max_diff(&e, &e1.get(0)) < 1e-5,
                "{interaction:?} entity, sentence {b}"
            );
            assert!(
                max_diff(&r, &r1.get(0)) < 1e-5,
                "{interaction:?} relation, sentence {b}"
            );
        }
    }
}

#[test]
fn pooled_summary_matches_the_full_logits() {
    // Layers that only feed the next round take the max before adding the output bias; keeping
    // every layer computes the full logits first. Both must give the same last layer.
    let _torch = setup(3);
    let (_vs, model) = tiny_model(tiny_config(2));
    let s = sentences();
    let batch = batch_of(&s.iter().collect::<Vec<_>>(), 3);
    let fast = model
        .forward_t(
            &batch.word_ids,
            &batch.pos_ids,
            &batch.lengths,
            2,
            false,
            false,
        )
        .unwrap();
    let full = model
        .forward_t(
            &batch.word_ids,
            &batch.pos_ids,
            &batch.lengths,
            2,
            false,
            true,
        )
        .unwrap();
    assert_eq!(fast.relation_logits.len(), 1);
    assert!(max_diff(fast.last_relation(), full.last_relation()) < 1e-5);
    assert!(max_diff(fast.last_entity(), full.last_entity()) < 1e-5);
}

#[test]
fn every_parameter_gets_a_gradient() {
    let _torch = setup(4);
    for deep in [false, true] {
        let (vs, model) = tiny_model(tiny_config(2));
        let s = sentences();
        let batch = batch_of(&s.iter().collect::<Vec<_>>(), 3);
        let out = model
            .forward_t(
                &batch.word_ids,
                &batch.pos_ids,
                &batch.lengths,
                2,
                true,
                deep,
            )
            .unwrap();
        loss::loss(&model, &out, &batch).backward();
        for (name, p) in vs.variables() {
            let g = p.grad();
            assert!(
                g.defined(),
                "{name} has no gradient (deep supervision {deep})"
            );
            assert!(
                g.abs().sum(tch::Kind::Float).double_value(&[]) > 0.0,
                "{name} has a zero gradient"
            );
        }
    }
}

#[test]
fn k0_never_touches_the_interaction_parameters() {
    let _torch = setup(5);
    let (vs, model) = tiny_model(tiny_config(0));
    let names = interaction_parameter_names();
    let vars = vs.variables();
    let before: Vec<Tensor> = names.iter().map(|n| vars[n].detach().copy()).collect();
    let mut adam = Adam::new(&vs, 1e-2);
    let s = sentences();
    let batch = batch_of(&s.iter().collect::<Vec<_>>(), 3);
    for _ in 0..2 {
        let out = model
            .forward_t(
                &batch.word_ids,
                &batch.pos_ids,
                &batch.lengths,
                0,
                true,
                false,
            )
            .unwrap();
        let l = loss::loss(&model, &out, &batch);
        adam.zero_grad();
        l.backward();
        let _ = adam.clip_grad_norm(5.0);
        adam.step();
    }
    for (name, old) in names.iter().zip(&before) {
        assert!(
            !vars[name].grad().defined(),
            "{name} got a gradient at K = 0"
        );
        assert_eq!(max_diff(&vars[name], old), 0.0, "{name} changed at K = 0");
    }
    // The rest did train.
    let steps = adam.state().1;
    assert_eq!(steps["entity_head.weight"], 2);
    assert_eq!(steps["gru_e.weight_ih"], 0);
}

#[test]
fn parameter_names_are_the_documented_ones() {
    let _torch = setup(6);
    let config = tiny_config(2);
    let (vs, _model) = tiny_model(config.clone());
    let mut stored: Vec<(String, Vec<i64>)> = vs
        .variables()
        .into_iter()
        .map(|(n, t)| (n, t.size()))
        .collect();
    stored.sort();
    let expected: Vec<(&str, Vec<i64>)> = vec![
        ("entity_head.bias", vec![5]),
        ("entity_head.weight", vec![5, 10]),
        ("gru_e.bias_hh", vec![30]),
        ("gru_e.bias_ih", vec![30]),
        ("gru_e.weight_hh", vec![30, 10]),
        ("gru_e.weight_ih", vec![30, 5]),
        ("gru_r.bias_hh", vec![30]),
        ("gru_r.bias_ih", vec![30]),
        ("gru_r.weight_hh", vec![30, 10]),
        ("gru_r.weight_ih", vec![30, 3]),
        ("lstm.bias_hh_l0", vec![20]),
        ("lstm.bias_hh_l0_reverse", vec![20]),
        ("lstm.bias_ih_l0", vec![20]),
        ("lstm.bias_ih_l0_reverse", vec![20]),
        ("lstm.weight_hh_l0", vec![20, 5]),
        ("lstm.weight_hh_l0_reverse", vec![20, 5]),
        ("lstm.weight_ih_l0", vec![20, 11]),
        ("lstm.weight_ih_l0_reverse", vec![20, 11]),
        ("pos_embedding.weight", vec![6, 3]),
        ("relation_head.hidden_bias", vec![7]),
        ("relation_head.object.weight", vec![7, 10]),
        ("relation_head.output.bias", vec![3]),
        ("relation_head.output.weight", vec![3, 7]),
        ("relation_head.subject.weight", vec![7, 10]),
        ("word_embedding.weight", vec![12, 8]),
    ];
    let expected: Vec<(String, Vec<i64>)> = expected
        .into_iter()
        .map(|(n, s)| (n.to_owned(), s))
        .collect();
    assert_eq!(stored, expected);
    assert_eq!(
        parameter_names(&config),
        expected.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()
    );

    // Without POS there is no POS embedding and the LSTM reads the word vector only.
    let no_pos = rin_trainer::ModelConfig {
        pos_dim: 0,
        pos_vocab: 0,
        ..config
    };
    let (vs, _model) = tiny_model(no_pos.clone());
    let vars = vs.variables();
    assert!(!vars.contains_key("pos_embedding.weight"));
    assert_eq!(vars["lstm.weight_ih_l0"].size(), [20, 8]);
    assert_eq!(parameter_names(&no_pos).len(), vars.len());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let _torch = setup(7);
    let (_vs, model) = tiny_model(tiny_config(1));
    let ids = Tensor::zeros([2, 4], (tch::Kind::Int64, tch::Device::Cpu));
    assert!(model.forward(&ids, &ids, &[4, 0], 1).is_err());
    assert!(model.forward(&ids, &ids, &[5, 1], 1).is_err());
    assert!(model.forward(&ids, &ids, &[4], 1).is_err());
}

#[test]
fn adam_matches_libtorch_adam() {
    use tch::nn::OptimizerConfig;
    let _torch = setup(8);
    let (vs_ours, model_ours) = tiny_model(tiny_config(1));
    let (mut vs_ref, model_ref) = tiny_model(tiny_config(1));
    vs_ref.copy(&vs_ours).unwrap();
    let mut ours = Adam::new(&vs_ours, 1e-2);
    let mut reference = tch::nn::Adam::default().build(&vs_ref, 1e-2).unwrap();
    let s = sentences();
    let batch = batch_of(&s.iter().collect::<Vec<_>>(), 3);
    for _ in 0..3 {
        let out = model_ours
            .forward_t(
                &batch.word_ids,
                &batch.pos_ids,
                &batch.lengths,
                1,
                false,
                false,
            )
            .unwrap();
        let l = loss::loss(&model_ours, &out, &batch);
        ours.zero_grad();
        l.backward();
        ours.step();
        let out = model_ref
            .forward_t(
                &batch.word_ids,
                &batch.pos_ids,
                &batch.lengths,
                1,
                false,
                false,
            )
            .unwrap();
        reference.backward_step(&loss::loss(&model_ref, &out, &batch));
    }
    let theirs = vs_ref.variables();
    for (name, p) in vs_ours.variables() {
        assert!(
            max_diff(&p, &theirs[&name]) < 1e-5,
            "{name} differs from libtorch's Adam"
        );
    }
}
