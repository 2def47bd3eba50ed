//! The relation label set, read from `rel2id.json` exactly as the data sets ship it.
//!
//! CasRel-style files are a two-element list `[id2rel, rel2id]`; JointER's WebNLG file is `[rel2id]`.
//! Both are accepted as they are (no conversion step), and so are a bare `rel2id` object and a plain
//! list of names, the two shapes a user is most likely to write by hand.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, RelationFileError, Result};

/// The relations of a data set, with dense ids `0..len()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<String>", into = "Vec<String>")]
pub struct RelationSet {
    names: Vec<String>,
    ids: HashMap<String, usize>,
}

impl From<Vec<String>> for RelationSet {
    fn from(names: Vec<String>) -> Self {
        RelationSet::from_names(names)
    }
}

impl From<RelationSet> for Vec<String> {
    fn from(set: RelationSet) -> Self {
        set.names
    }
}

impl RelationSet {
    /// Reads a relation file: `[id2rel, rel2id]`, `[rel2id]`, a `rel2id` object, or a list of names.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            record: None,
            source,
        })?;
        Self::from_json(&value).map_err(|source| Error::RelationFile {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Builds the set from names in id order. A repeated name keeps its first id (later copies
    /// still take an id so that the ids of the following names stay as given).
    pub fn from_names(names: Vec<String>) -> Self {
        let mut ids = HashMap::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            ids.entry(name.clone()).or_insert(i);
        }
        RelationSet { names, ids }
    }

    fn from_json(value: &Value) -> Result<Self, RelationFileError> {
        match value {
            Value::Object(map) => Self::from_rel2id(map),
            Value::Array(items) => match items.as_slice() {
                // CasRel: [id2rel, rel2id]; rel2id is authoritative, id2rel is its inverse.
                [Value::Object(_), Value::Object(rel2id)] => Self::from_rel2id(rel2id),
                // JointER: [rel2id].
                [Value::Object(rel2id)] => Self::from_rel2id(rel2id),
                names if names.iter().all(Value::is_string) => {
                    let names: Vec<String> = names
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect();
                    let mut seen = HashMap::new();
                    for name in &names {
                        if seen.insert(name.as_str(), ()).is_some() {
                            return Err(RelationFileError::Duplicate { name: name.clone() });
                        }
                    }
                    Ok(Self::from_names(names))
                }
                _ => Err(RelationFileError::Shape),
            },
            _ => Err(RelationFileError::Shape),
        }
    }

    fn from_rel2id(map: &serde_json::Map<String, Value>) -> Result<Self, RelationFileError> {
        let count = map.len();
        let mut slots: Vec<Option<String>> = vec![None; count];
        for (name, id) in map {
            let bad = || RelationFileError::BadId {
                name: name.clone(),
                id: id.to_string(),
            };
            let id = match id {
                Value::Number(n) => n.as_u64().ok_or_else(bad)?,
                Value::String(s) => s.parse::<u64>().map_err(|_| bad())?,
                _ => return Err(bad()),
            };
            let id = usize::try_from(id).map_err(|_| bad())?;
            match slots.get_mut(id) {
                Some(slot @ None) => *slot = Some(name.clone()),
                _ => return Err(RelationFileError::NotDense { count, id }),
            }
        }
        let mut names = Vec::with_capacity(count);
        for (id, slot) in slots.into_iter().enumerate() {
            names.push(slot.ok_or(RelationFileError::NotDense { count, id })?);
        }
        Ok(Self::from_names(names))
    }

    /// Number of relations (the relation classifier's output size).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no relations.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The id of a relation name.
    pub fn id(&self, name: &str) -> Option<usize> {
        self.ids.get(name).copied()
    }

    /// The name of relation `id`, or `"<unknown>"` for an id outside `0..len()`.
    pub fn name(&self, id: usize) -> &str {
        self.names.get(id).map_or("<unknown>", String::as_str)
    }

    /// All names in id order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}
