//! The trained model: classes, tag dictionary, sparse averaged weights, and their compact file
//! format (gzip of a columnar binary layout, weights quantised to `i16`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};

use crate::features::{Context, Lexicon, START, START2};

/// Magic bytes opening the (uncompressed) weights file.
const MAGIC: &[u8; 8] = b"RINPERC1";

/// Feature keys are already hashes: use them as they are.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u32(&mut self, n: u32) {
        // Spread the 32-bit hash over 64 bits so hashbrown's top-7-bit tags vary.
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub(crate) type FeatureMap<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;

/// An averaged-perceptron part-of-speech model.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Tag names, indexed by class id.
    pub(crate) classes: Vec<String>,
    /// Frequent unambiguous words and their tag.
    pub(crate) tagdict: HashMap<String, u8>,
    /// Ambiguity classes of the words seen in training.
    pub(crate) lexicon: Lexicon,
    /// Feature hash → range in `entries`.
    pub(crate) features: FeatureMap<(u32, u32)>,
    /// (class, weight) pairs, grouped by feature.
    pub(crate) entries: Vec<(u8, f32)>,
}

/// Why a weights file could not be read.
#[derive(Debug)]
pub struct FormatError(pub(crate) String);

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid perceptron weights: {}", self.0)
    }
}

impl std::error::Error for FormatError {}

impl Model {
    /// Builds a model from averaged weights per feature hash (classes, weight) and prunes
    /// weights whose magnitude is below `prune`.
    pub(crate) fn from_weights(
        classes: Vec<String>,
        tagdict: HashMap<String, u8>,
        lexicon: Lexicon,
        weights: impl IntoIterator<Item = (u32, Vec<(u8, f32)>)>,
        prune: f32,
    ) -> Self {
        let mut sorted: Vec<(u32, Vec<(u8, f32)>)> = weights
            .into_iter()
            .map(|(h, ws)| {
                (
                    h,
                    ws.into_iter()
                        .filter(|(_, w)| w.abs() >= prune)
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, ws)| !ws.is_empty())
            .collect();
        sorted.sort_by_key(|(h, _)| *h);
        let mut features = FeatureMap::default();
        let mut entries = Vec::new();
        for (h, ws) in sorted {
            let start = entries.len() as u32;
            entries.extend(ws);
            features.insert(h, (start, entries.len() as u32));
        }
        Model {
            classes,
            tagdict,
            lexicon,
            features,
            entries,
        }
    }

    /// Tag names, indexed by class id.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Number of features with at least one weight.
    pub fn num_features(&self) -> usize {
        self.features.len()
    }

    /// Number of words in the tag dictionary.
    pub fn tagdict_len(&self) -> usize {
        self.tagdict.len()
    }

    /// Number of (feature, class) weights.
    pub fn num_weights(&self) -> usize {
        self.entries.len()
    }

    /// The class id of each word of one sentence.
    pub fn tag_ids<S: AsRef<str>>(&self, words: &[S]) -> Vec<u8> {
        let context = Context::new(words, &self.lexicon);
        let mut out = Vec::with_capacity(words.len());
        let mut features = Vec::with_capacity(32);
        let mut scores = vec![0f32; self.classes.len()];
        let (mut prev, mut prev2) = (START, START2);
        for (i, word) in words.iter().enumerate() {
            let tag = match self.tagdict.get(word.as_ref()) {
                Some(&t) => t,
                None => {
                    features.clear();
                    context.features(i, prev, prev2, &mut features);
                    self.best(&features, &mut scores)
                }
            };
            out.push(tag);
            prev2 = prev;
            prev = tag;
        }
        debug_assert_eq!(context.len(), out.len());
        out
    }

    /// The highest-scoring class for these features (the lowest id on ties).
    pub(crate) fn best(&self, features: &[u32], scores: &mut [f32]) -> u8 {
        scores.iter_mut().for_each(|s| *s = 0.0);
        for f in features {
            if let Some(&(start, end)) = self.features.get(f) {
                for &(class, w) in &self.entries[start as usize..end as usize] {
                    scores[class as usize] += w;
                }
            }
        }
        let mut best = 0;
        for (c, &s) in scores.iter().enumerate() {
            if s > scores[best] {
                best = c;
            }
        }
        best as u8
    }

    /// Writes the model in its compact format (gzip, weights quantised to `i16`).
    pub fn write(&self, out: impl Write) -> std::io::Result<()> {
        let mut buf = Vec::new();
        buf.extend_from_slice(MAGIC);
        buf.push(self.classes.len() as u8);
        for c in &self.classes {
            buf.push(c.len() as u8);
            buf.extend_from_slice(c.as_bytes());
        }
        let mut dict: Vec<(&String, &u8)> = self.tagdict.iter().collect();
        dict.sort();
        buf.extend_from_slice(&(dict.len() as u32).to_le_bytes());
        for (word, &tag) in dict {
            buf.extend_from_slice(&(word.len() as u16).to_le_bytes());
            buf.extend_from_slice(word.as_bytes());
            buf.push(tag);
        }
        let mut lex: Vec<(&String, &u64)> = self.lexicon.iter().collect();
        lex.sort();
        let mut masks: Vec<u64> = lex.iter().map(|(_, &m)| m).collect();
        masks.sort_unstable();
        masks.dedup();
        buf.extend_from_slice(&(masks.len() as u32).to_le_bytes());
        for m in &masks {
            buf.extend_from_slice(&m.to_le_bytes());
        }
        buf.extend_from_slice(&(lex.len() as u32).to_le_bytes());
        for (word, _) in &lex {
            buf.push(word.len() as u8);
            buf.extend_from_slice(word.as_bytes());
        }
        for (_, m) in &lex {
            let k = masks.binary_search(m).unwrap_or(0) as u16;
            buf.extend_from_slice(&k.to_le_bytes());
        }
        let mut feats: Vec<(u32, (u32, u32))> =
            self.features.iter().map(|(&h, &r)| (h, r)).collect();
        feats.sort();
        let max = self.entries.iter().fold(0f32, |m, &(_, w)| m.max(w.abs()));
        let scale = if max > 0.0 {
            max / f32::from(i16::MAX)
        } else {
            1.0
        };
        buf.extend_from_slice(&(feats.len() as u32).to_le_bytes());
        buf.extend_from_slice(&scale.to_le_bytes());
        let mut last = 0u32;
        for &(h, _) in &feats {
            write_varint(&mut buf, h - last);
            last = h;
        }
        for &(_, (start, end)) in &feats {
            buf.push((end - start) as u8);
        }
        for &(_, (start, end)) in &feats {
            for &(class, _) in &self.entries[start as usize..end as usize] {
                buf.push(class);
            }
        }
        for &(_, (start, end)) in &feats {
            for &(_, w) in &self.entries[start as usize..end as usize] {
                buf.extend_from_slice(&((w / scale).round() as i16).to_le_bytes());
            }
        }
        let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::best());
        gz.write_all(&buf)?;
        gz.finish()?;
        Ok(())
    }

    /// Reads a model written by [`Model::write`].
    pub fn read(compressed: &[u8]) -> Result<Self, FormatError> {
        let mut buf = Vec::new();
        flate2::read::GzDecoder::new(compressed)
            .read_to_end(&mut buf)
            .map_err(|e| FormatError(format!("not gzip: {e}")))?;
        let mut r = Reader { buf: &buf, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err(FormatError("bad magic".into()));
        }
        let n_classes = r.u8()? as usize;
        let mut classes = Vec::with_capacity(n_classes);
        for _ in 0..n_classes {
            let len = r.u8()? as usize;
            classes.push(r.string(len)?);
        }
        let n_dict = r.u32()? as usize;
        let mut tagdict = HashMap::with_capacity(n_dict);
        for _ in 0..n_dict {
            let len = r.u16()? as usize;
            let word = r.string(len)?;
            let tag = r.class(n_classes)?;
            tagdict.insert(word, tag);
        }
        let n_masks = r.u32()? as usize;
        let mut masks = Vec::with_capacity(n_masks);
        for _ in 0..n_masks {
            masks.push(u64::from_le_bytes(r.array()?));
        }
        let n_lex = r.u32()? as usize;
        let mut words = Vec::with_capacity(n_lex);
        for _ in 0..n_lex {
            let len = r.u8()? as usize;
            words.push(r.string(len)?);
        }
        let mut lexicon = Lexicon::with_capacity(n_lex);
        for word in words {
            let k = r.u16()? as usize;
            let mask = *masks
                .get(k)
                .ok_or_else(|| FormatError(format!("mask {k} out of range")))?;
            lexicon.insert(word, mask);
        }
        let n_feats = r.u32()? as usize;
        let scale = f32::from_le_bytes(r.array()?);
        let mut hashes = Vec::with_capacity(n_feats);
        let mut last = 0u32;
        for _ in 0..n_feats {
            last = last.wrapping_add(r.varint()?);
            hashes.push(last);
        }
        let counts = r.take(n_feats)?.to_vec();
        let total: usize = counts.iter().map(|&c| c as usize).sum();
        let class_ids = r.take(total)?.to_vec();
        let mut features = FeatureMap::default();
        features.reserve(n_feats);
        let mut entries = Vec::with_capacity(total);
        let mut k = 0;
        for (&h, &count) in hashes.iter().zip(&counts) {
            let start = entries.len() as u32;
            for _ in 0..count {
                let class = class_ids[k];
                if class as usize >= n_classes {
                    return Err(FormatError(format!("class {class} out of range")));
                }
                let q = i16::from_le_bytes(r.array()?);
                entries.push((class, f32::from(q) * scale));
                k += 1;
            }
            features.insert(h, (start, entries.len() as u32));
        }
        if r.pos != buf.len() {
            return Err(FormatError("trailing bytes".into()));
        }
        Ok(Model {
            classes,
            tagdict,
            lexicon,
            features,
            entries,
        })
    }
}

fn write_varint(buf: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        buf.push((n as u8) | 0x80);
        n >>= 7;
    }
    buf.push(n as u8);
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or_else(|| FormatError("truncated".into()))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], FormatError> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, FormatError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, FormatError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, FormatError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn class(&mut self, n: usize) -> Result<u8, FormatError> {
        let c = self.u8()?;
        if (c as usize) < n {
            Ok(c)
        } else {
            Err(FormatError(format!("class {c} out of range")))
        }
    }

    fn string(&mut self, len: usize) -> Result<String, FormatError> {
        String::from_utf8(self.take(len)?.to_vec())
            .map_err(|_| FormatError("string is not UTF-8".into()))
    }

    fn varint(&mut self) -> Result<u32, FormatError> {
        let mut n = 0u32;
        for shift in (0..35).step_by(7) {
            let b = self.u8()?;
            n |= u32::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(n);
            }
        }
        Err(FormatError("varint too long".into()))
    }
}
