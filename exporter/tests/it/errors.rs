//! Bad input gives a clear, typed error, and nothing is written.

use std::collections::HashMap;

use rin_exporter::fixture::{random_parameters, write_weights, FixtureSpec};
use rin_exporter::{export, Error, ExportOptions, MAX_K};
use safetensors::tensor::TensorView;
use safetensors::Dtype;

use crate::util::Fixture;

fn try_export(fixture: &Fixture, ks: Vec<usize>) -> Result<rin_exporter::ExportReport, Error> {
    export(
        &fixture.ckpt(),
        &fixture.out(),
        &ExportOptions {
            ks,
            ..Default::default()
        },
    )
}

/// Rewrites the fixture's weights after `edit` on the parameter list.
fn tamper(fixture: &Fixture, edit: impl FnOnce(&mut Vec<(String, Vec<usize>, Vec<f32>)>)) {
    let mut params = random_parameters(&FixtureSpec::tiny(7));
    edit(&mut params);
    write_weights(&fixture.ckpt().join("model.safetensors"), &params).unwrap();
}

fn edit_meta(fixture: &Fixture, edit: impl FnOnce(&mut serde_json::Value)) {
    fixture.edit_meta(edit)
}

#[test]
fn missing_checkpoint_folder_or_files() {
    let fixture = Fixture::tiny();
    let err = export(
        &fixture.dir.path().join("nope"),
        &fixture.out(),
        &ExportOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::MissingFile { .. }), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");

    std::fs::remove_file(fixture.ckpt().join("model.safetensors")).unwrap();
    let err = try_export(&fixture, vec![]).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::MissingFile {
                what: "checkpoint weights",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("model.safetensors"));

    std::fs::remove_file(fixture.ckpt().join("checkpoint.json")).unwrap();
    let err = try_export(&fixture, vec![]).unwrap_err();
    assert!(matches!(&err, Error::MissingFile { .. }), "{err}");
    assert!(err.to_string().contains("checkpoint.json"), "{err}");
    assert!(!fixture.out().exists(), "nothing is written on error");
}

#[test]
fn run_directory_resolves_best_and_last() {
    let fixture = Fixture::tiny();
    let run = fixture.dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    std::fs::rename(fixture.ckpt(), run.join("last")).unwrap();
    let options = ExportOptions {
        which: "last".into(),
        ..Default::default()
    };
    let report = export(&run, &fixture.out(), &options).unwrap();
    assert!(report.checkpoint_dir.ends_with("last"));
    let err = export(&run, &fixture.out(), &ExportOptions::default()).unwrap_err();
    assert!(matches!(err, Error::MissingFile { .. }), "{err}");
}

#[test]
fn missing_tensor() {
    let fixture = Fixture::tiny();
    tamper(&fixture, |p| p.retain(|(n, _, _)| n != "gru_r.bias_hh"));
    let err = try_export(&fixture, vec![]).unwrap_err();
    assert!(
        matches!(&err, Error::MissingTensor { name, .. } if name == "gru_r.bias_hh"),
        "{err}"
    );
    assert_eq!(
        err.to_string().split(" is missing").next().unwrap(),
        "tensor \"gru_r.bias_hh\""
    );
}

#[test]
fn wrong_shape() {
    let fixture = Fixture::tiny();
    tamper(&fixture, |p| {
        let t = p
            .iter_mut()
            .find(|(n, _, _)| n == "lstm.weight_hh_l0")
            .unwrap();
        t.1 = vec![t.1[1], t.1[0]];
    });
    let err = try_export(&fixture, vec![]).unwrap_err();
    match &err {
        Error::TensorShape {
            name,
            expected,
            actual,
        } => {
            assert_eq!(name, "lstm.weight_hh_l0");
            assert_eq!(expected, &vec![16, 4]);
            assert_eq!(actual, &vec![4, 16]);
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn wrong_dtype() {
    let fixture = Fixture::tiny();
    let params = random_parameters(&FixtureSpec::tiny(7));
    let bytes: Vec<Vec<u8>> = params
        .iter()
        .map(|(n, _, d)| {
            if n == "entity_head.bias" {
                d.iter().flat_map(|v| f64::from(*v).to_le_bytes()).collect()
            } else {
                d.iter().flat_map(|v| v.to_le_bytes()).collect()
            }
        })
        .collect();
    let views: Vec<_> = params
        .iter()
        .zip(&bytes)
        .map(|((n, s, _), b)| {
            let dtype = if n == "entity_head.bias" {
                Dtype::F64
            } else {
                Dtype::F32
            };
            (n.clone(), TensorView::new(dtype, s.clone(), b).unwrap())
        })
        .collect();
    safetensors::serialize_to_file(
        views,
        &None::<HashMap<String, String>>,
        &fixture.ckpt().join("model.safetensors"),
    )
    .unwrap();
    let err = try_export(&fixture, vec![]).unwrap_err();
    assert!(
        matches!(&err, Error::TensorDtype { name, actual } if name == "entity_head.bias" && actual == "F64"),
        "{err}"
    );
}

#[test]
fn non_finite_weight() {
    let fixture = Fixture::tiny();
    tamper(&fixture, |p| {
        p.iter_mut()
            .find(|(n, _, _)| n == "relation_head.hidden_bias")
            .unwrap()
            .2[3] = f32::NAN
    });
    let err = try_export(&fixture, vec![]).unwrap_err();
    assert!(matches!(&err, Error::NonFinite { index: 3, .. }), "{err}");
}

#[test]
fn corrupt_safetensors() {
    let fixture = Fixture::tiny();
    std::fs::write(
        fixture.ckpt().join("model.safetensors"),
        b"not a safetensors file",
    )
    .unwrap();
    let err = try_export(&fixture, vec![]).unwrap_err();
    assert!(matches!(err, Error::Safetensors { .. }), "{err}");
}

#[test]
fn inconsistent_config() {
    let fixture = Fixture::tiny();
    edit_meta(&fixture, |m| {
        m["relations"]
            .as_array_mut()
            .unwrap()
            .pop()
            .map(drop)
            .unwrap()
    });
    let err = try_export(&fixture, vec![]).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Config {
                field: "relations",
                ..
            }
        ),
        "{err}"
    );

    let fixture = Fixture::tiny();
    edit_meta(&fixture, |m| m["format_version"] = 99.into());
    let err = try_export(&fixture, vec![]).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Config {
                field: "format_version",
                ..
            }
        ),
        "{err}"
    );

    let fixture = Fixture::tiny();
    edit_meta(&fixture, |m| m["model"]["lstm_hidden"] = 5.into());
    let err = try_export(&fixture, vec![]).unwrap_err();
    assert!(matches!(&err, Error::TensorShape { .. }), "{err}");

    let fixture = Fixture::tiny();
    edit_meta(&fixture, |m| {
        m.as_object_mut()
            .unwrap()
            .remove("model")
            .map(drop)
            .unwrap()
    });
    let err = try_export(&fixture, vec![]).unwrap_err();
    assert!(matches!(&err, Error::Json { .. }), "{err}");
    assert!(
        format!("{:?}", std::error::Error::source(&err)).contains("model"),
        "{err:?}"
    );
}

#[test]
fn k_out_of_range() {
    let fixture = Fixture::tiny();
    let err = try_export(&fixture, vec![0, MAX_K + 1]).unwrap_err();
    assert!(
        matches!(err, Error::KOutOfRange { k, max: MAX_K } if k == MAX_K + 1),
        "{err}"
    );
    assert!(!fixture.out().exists());
}

#[test]
fn unwritable_output_folder() {
    let fixture = Fixture::tiny();
    // A regular file where a folder should be: not even root can create a folder under it.
    let blocker = fixture.dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let out = blocker.join("onnx");
    let err = export(&fixture.ckpt(), &out, &ExportOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Write { path, .. } if path == &out),
        "{err}"
    );
}
