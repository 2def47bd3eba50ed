//! Vocabularies (words, POS tags) and GloVe word vectors.
//!
//! Id 0 is padding and id 1 unknown in every vocabulary, so that a zero-filled id buffer is all
//! padding and an unseen token never needs a special case. Vocabularies serialise as their token
//! list: the trainer stores them in its checkpoint JSON and the runtime reads them back.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{EmbeddingError, Error, Result};

/// The padding id.
pub const PAD: usize = 0;
/// The unknown-token id.
pub const UNK: usize = 1;
/// The padding entry's string.
pub const PAD_TOKEN: &str = "<pad>";
/// The unknown entry's string.
pub const UNK_TOKEN: &str = "<unk>";

/// A string-to-id table with [`PAD`] and [`UNK`] first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<String>", into = "Vec<String>")]
pub struct Vocab {
    tokens: Vec<String>,
    ids: HashMap<String, usize>,
}

impl Default for Vocab {
    fn default() -> Self {
        Vocab::new()
    }
}

impl From<Vec<String>> for Vocab {
    /// Rebuilds a vocabulary from its serialised token list. The first two entries are taken as
    /// PAD and UNK whatever they are called; a list that is too short is padded with them.
    fn from(mut tokens: Vec<String>) -> Self {
        if tokens.is_empty() {
            tokens.push(PAD_TOKEN.to_owned());
        }
        if tokens.len() == 1 {
            tokens.push(UNK_TOKEN.to_owned());
        }
        let mut ids = HashMap::with_capacity(tokens.len());
        for (i, token) in tokens.iter().enumerate().skip(2) {
            ids.entry(token.clone()).or_insert(i);
        }
        Vocab { tokens, ids }
    }
}

impl From<Vocab> for Vec<String> {
    fn from(vocab: Vocab) -> Self {
        vocab.tokens
    }
}

impl Vocab {
    /// A vocabulary holding only PAD and UNK.
    pub fn new() -> Self {
        Vocab::from(Vec::new())
    }

    /// Adds `s` if it is new, and returns its id either way.
    pub fn insert(&mut self, s: &str) -> usize {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.tokens.len();
        self.tokens.push(s.to_owned());
        self.ids.insert(s.to_owned(), id);
        id
    }

    /// The id of `s`, or [`UNK`] when absent. The look-up is exact; for words use [`word_key`]
    /// first (or [`Vocab::word_id`]).
    pub fn id(&self, s: &str) -> usize {
        self.ids.get(s).copied().unwrap_or(UNK)
    }

    /// The id of a word token, looked up by its [`word_key`].
    pub fn word_id(&self, token: &str) -> usize {
        self.id(&word_key(token))
    }

    /// Whether `s` has its own id.
    pub fn contains(&self, s: &str) -> bool {
        self.ids.contains_key(s)
    }

    /// The string of `id`, if any.
    pub fn token(&self, id: usize) -> Option<&str> {
        self.tokens.get(id).map(String::as_str)
    }

    /// Number of ids, PAD and UNK included.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Always false: PAD and UNK are always there.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// All entries in id order, PAD and UNK included.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }
}

/// The look-up key of a word: its lower-cased form, because GloVe 6B is lower-cased.
pub fn word_key(token: &str) -> String {
    token.to_lowercase()
}

/// Word vectors aligned with a vocabulary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Embeddings {
    /// The words, in the row order of `vectors`.
    pub vocab: Vocab,
    /// The vector size.
    pub dim: usize,
    /// `vocab.len() x dim`, row-major; the PAD and UNK rows are zero.
    pub vectors: Vec<f32>,
}

impl Embeddings {
    /// The vector of `id`, if in range.
    pub fn row(&self, id: usize) -> Option<&[f32]> {
        self.vectors.get(id * self.dim..(id + 1) * self.dim)
    }
}

/// Reads GloVe's text format (`word v1 ... vd` per line), plain or gzip (`.gz`).
///
/// The dimension is that of the first line. With `keep`, only words in it are kept (give it
/// [`word_key`]s, e.g. from [`crate::dataset::Dataset::word_keys`]): 400,000 x 50 floats is 80 MB,
/// while a data set uses a few thousand words. A word listed twice keeps its first vector.
pub fn load_glove(path: &Path, keep: Option<&HashSet<String>>) -> Result<Embeddings> {
    load_glove_top(path, keep, 0)
}

/// [`load_glove`] that also keeps the file's first `first` rows whatever `keep` says (GloVe files
/// list words from the most frequent down, so these are the `first` most frequent words).
pub fn load_glove_top(
    path: &Path,
    keep: Option<&HashSet<String>>,
    first: usize,
) -> Result<Embeddings> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    read_glove_top(path, BufReader::new(reader), keep, first)
}

#[cfg(test)]
fn read_glove(
    path: &Path,
    reader: impl BufRead,
    keep: Option<&HashSet<String>>,
) -> Result<Embeddings> {
    read_glove_top(path, reader, keep, 0)
}

fn read_glove_top(
    path: &Path,
    reader: impl BufRead,
    keep: Option<&HashSet<String>>,
    first: usize,
) -> Result<Embeddings> {
    let line_error = |line: usize, source: EmbeddingError| Error::Embedding {
        path: path.to_path_buf(),
        line,
        source,
    };
    let mut vocab = Vocab::new();
    let mut dim = 0;
    let mut vectors = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let line = line.map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        if dim == 0 {
            dim = fields.len() - 1;
            if dim == 0 {
                return Err(line_error(
                    index + 1,
                    EmbeddingError::Dimension {
                        expected: 1,
                        found: 0,
                    },
                ));
            }
            vectors.resize(2 * dim, 0.0);
        }
        // The word is everything before the last `dim` fields, so a word with a space survives.
        if fields.len() <= dim {
            let found = fields.len() - 1;
            return Err(line_error(
                index + 1,
                EmbeddingError::Dimension {
                    expected: dim,
                    found,
                },
            ));
        }
        let split = fields.len() - dim;
        let word = fields[..split].join(" ");
        let wanted = index < first || keep.is_none_or(|k| k.contains(&word));
        if !wanted || vocab.contains(&word) {
            continue;
        }
        let start = vectors.len();
        for value in &fields[split..] {
            match value.parse::<f32>() {
                Ok(v) => vectors.push(v),
                Err(_) => {
                    vectors.truncate(start);
                    let value = (*value).to_owned();
                    return Err(line_error(index + 1, EmbeddingError::Value { value }));
                }
            }
        }
        vocab.insert(&word);
    }
    if dim == 0 {
        return Err(line_error(0, EmbeddingError::Empty));
    }
    Ok(Embeddings {
        vocab,
        dim,
        vectors,
    })
}

#[cfg(test)]
mod tests;
