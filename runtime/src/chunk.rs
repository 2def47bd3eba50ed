//! Where the model runs on a text: chunks of consecutive sentences shaped like its training
//! texts, overlapping by one sentence, and overlapping windows inside a sentence too long for one
//! run. Every chunk is one input of the model; the pipeline merges their predictions (see
//! `Predictor::predict_documents`).
//!
//! WebNLG's training texts are short multi-sentence entries (at most 80 tokens and 6 sentences in
//! both WebNLG and WebNLG*'s training sets; a fifth of their facts link entities of different
//! sentences), so a document is cut into such entries rather than into single sentences: facts
//! stated across adjacent sentences are then found as in training. A text too long to read whole
//! is cut into such texts where a new one begins (`links: anaphora`: a sentence that opens with a
//! pronoun belongs with the one before; WebNLG's facts across sentences are mostly of that kind,
//! "X is in Greece . Its capital is Athens ."), or read as single sentences plus chunks of
//! adjacent sentences overlapping by one (`links: pairs`).

use std::ops::Range;

use rin_core::continuation::Continuation;
use rin_core::reading::SentenceLinks;

/// How texts are cut into model inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkPlan {
    /// Tokens per chunk of sentences, at most (a single longer sentence is windowed).
    pub tokens: usize,
    /// Sentences per chunk, at most.
    pub sentences: usize,
    /// A text of at most `tokens` tokens and this many sentences is read whole, like a training
    /// text, instead of in chunks.
    pub whole_sentences: usize,
    /// Tokens per window of a sentence longer than `tokens`... and than the model's limit.
    pub window: usize,
    /// Tokens shared by consecutive windows of one long sentence (less than half a window).
    pub overlap: usize,
    /// How the sentences of a text too long to read whole are linked.
    pub links: SentenceLinks,
}

/// Words that, opening a sentence, refer back to what the sentence before spoke of (compared
/// without case).
pub const ANAPHORA: &[&str] = &[
    "it", "its", "he", "his", "she", "her", "they", "their", "this", "these", "those", "also",
    "one", "both",
];

/// Whether a sentence whose first token is `word` continues the text before it.
pub fn opens_with_anaphor(word: &str) -> bool {
    ANAPHORA.iter().any(|a| a.eq_ignore_ascii_case(word))
}

/// Whether a sentence of `tokens` (with `tags`, if the model reads POS) continues a text of
/// `sentences_before` sentences (`links: anaphora`): the `learned` decision where there is one
/// and the sentence has tags, which its features need; else whether it opens with a pronoun.
pub fn continues(
    learned: Option<&Continuation>,
    tokens: &[String],
    tags: Option<&[String]>,
    sentences_before: usize,
) -> bool {
    match (learned, tags) {
        (Some(learned), Some(tags)) => learned.continues(tokens, tags, sentences_before),
        _ => tokens.first().is_some_and(|word| opens_with_anaphor(word)),
    }
}

pub use rin_core::reading::{
    DEFAULT_CHUNK_SENTENCES, DEFAULT_CHUNK_TOKENS, DEFAULT_JOINT_THRESHOLD, DEFAULT_WHOLE_SENTENCES,
};
/// Tokens shared by consecutive windows of an over-long sentence.
pub const DEFAULT_WINDOW_OVERLAP: usize = 50;

impl ChunkPlan {
    /// Token ranges to run for a text of `n` tokens whose sentences start at `starts` (sorted,
    /// the first 0; empty means one sentence). Chunks cover every token, follow the text's order
    /// and overlap by one sentence (or `overlap` tokens inside a long sentence).
    pub fn chunks(&self, n: usize, starts: &[usize]) -> Vec<Range<usize>> {
        self.chunks_of(&sentence_ranges(n, starts))
    }

    /// [`ChunkPlan::chunks`] of a text whose sentences are `sentences` (see [`sentence_ranges`]).
    fn chunks_of(&self, sentences: &[Range<usize>]) -> Vec<Range<usize>> {
        let budget = self.tokens.max(1);
        let max_sentences = self.sentences.max(1);
        let mut out = Vec::new();
        let mut first = 0;
        while first < sentences.len() {
            let mut last = first + 1;
            while last < sentences.len()
                && last - first < max_sentences
                && sentences[last].end - sentences[first].start <= budget
            {
                last += 1;
            }
            out.extend(self.windowed(sentences[first].start..sentences[last - 1].end));
            if last == sentences.len() {
                break;
            }
            // Overlap by one sentence when the chunk held more than one.
            first = if last - first > 1 { last - 1 } else { last };
        }
        out
    }

    /// What the model runs on a text. A text shaped like a training text (at most `tokens` tokens
    /// and `whole_sentences` sentences) is read whole. A longer one is read as each sentence alone (windowed when longer than `window`),
    /// whose entities and triples are kept, then the chunks of [`ChunkPlan::chunks`] that hold more
    /// than one sentence, from which only triples linking two sentences are taken (a sentence read
    /// alone is read as in training; adjacent sentences read together add the facts that cross
    /// them). The flag says which kind a unit is.
    ///
    /// With `links: anaphora`, a longer text is read as texts of consecutive sentences instead:
    /// a sentence for which `continues(its tokens, the sentences of the text before it)` holds
    /// joins the text before it while that stays within `tokens` tokens and `whole_sentences`
    /// sentences (also with `links: orphans`, whose pairs of texts the pipeline reads afterwards,
    /// where a text's own reading left an entity unlinked).
    pub fn units(
        &self,
        n: usize,
        starts: &[usize],
        continues: impl Fn(Range<usize>, usize) -> bool,
    ) -> Vec<(Range<usize>, bool)> {
        let sentences = sentence_ranges(n, starts);
        if n <= self.tokens.min(self.window) && sentences.len() <= self.whole_sentences {
            return sentences
                .first()
                .map(|_| (0..n, false))
                .into_iter()
                .collect();
        }
        if matches!(self.links, SentenceLinks::Anaphora | SentenceLinks::Orphans) {
            let mut texts: Vec<(Range<usize>, usize)> = Vec::new();
            for sentence in &sentences {
                match texts.last_mut() {
                    Some((text, count))
                        if sentence.end - text.start <= self.tokens
                            && *count < self.whole_sentences
                            && continues(sentence.clone(), *count) =>
                    {
                        text.end = sentence.end;
                        *count += 1;
                    }
                    _ => texts.push((sentence.clone(), 1)),
                }
            }
            return texts
                .into_iter()
                .flat_map(|(text, _)| self.windowed(text))
                .map(|range| (range, false))
                .collect();
        }
        let mut out: Vec<(Range<usize>, bool)> = sentences
            .iter()
            .flat_map(|sentence| self.windowed(sentence.clone()))
            .map(|range| (range, false))
            .collect();
        if self.sentences > 1 {
            // Sentences are ordered: those wholly inside `c` are a run found by two searches.
            let whole_sentences_in = |c: &Range<usize>| {
                let first = sentences.partition_point(|s| s.start < c.start);
                let past = sentences.partition_point(|s| s.end <= c.end);
                past.saturating_sub(first)
            };
            out.extend(
                self.chunks_of(&sentences)
                    .into_iter()
                    .filter(|c| whole_sentences_in(c) > 1)
                    .map(|c| (c, true)),
            );
        }
        out
    }

    /// The tokens consecutive windows of an over-long sentence share: `overlap`, kept under half
    /// a window so that windows always advance.
    pub fn window_overlap(&self) -> usize {
        self.overlap.min(self.window.max(1).saturating_sub(1) / 2)
    }

    /// `range` itself when it fits in a window, else its overlapping windows.
    fn windowed(&self, range: Range<usize>) -> Vec<Range<usize>> {
        if range.len() > self.window.max(1) {
            self.windows(range)
        } else {
            vec![range]
        }
    }

    /// Windows of `window` tokens over `range`, each starting `window - overlap` after the last.
    fn windows(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let window = self.window.max(1);
        let stride = window - self.window_overlap();
        let mut out = Vec::new();
        let mut start = range.start;
        loop {
            let end = (start + window).min(range.end);
            out.push(start..end);
            if end == range.end {
                return out;
            }
            start += stride;
        }
    }
}

/// The token ranges of the sentences of a text of `n` tokens whose sentences start at `starts`
/// (sorted; 0 is implied; starts at or past `n` are ignored). No range is empty.
pub fn sentence_ranges(n: usize, starts: &[usize]) -> Vec<Range<usize>> {
    let mut bounds: Vec<usize> = starts.iter().copied().filter(|&s| s < n).collect();
    if bounds.first() != Some(&0) {
        bounds.insert(0, 0);
    }
    bounds.dedup();
    bounds.push(n);
    bounds
        .windows(2)
        .map(|w| w[0]..w[1])
        .filter(|r| !r.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(tokens: usize, sentences: usize, window: usize, overlap: usize) -> ChunkPlan {
        ChunkPlan {
            tokens,
            sentences,
            whole_sentences: 6,
            window,
            overlap,
            links: SentenceLinks::Pairs,
        }
    }

    #[test]
    fn a_short_text_is_one_chunk() {
        let p = plan(80, 6, 200, 50);
        assert_eq!(p.chunks(20, &[0, 8, 15]), vec![0..20]);
        assert_eq!(p.chunks(20, &[]), vec![0..20]);
        assert!(p.chunks(0, &[0]).is_empty());
    }

    #[test]
    fn chunks_overlap_by_one_sentence_and_every_neighbour_pair_shares_one() {
        let p = plan(30, 3, 200, 50);
        // Ten sentences of ten tokens.
        let starts: Vec<usize> = (0..10).map(|i| i * 10).collect();
        let chunks = p.chunks(100, &starts);
        assert_eq!(chunks, [0..30, 20..50, 40..70, 60..90, 80..100]);
        for i in 0..9 {
            let pair = i * 10..(i + 2) * 10;
            assert!(
                chunks
                    .iter()
                    .any(|c| c.start <= pair.start && pair.end <= c.end),
                "sentences {i} and {} share no chunk",
                i + 1
            );
        }
    }

    #[test]
    fn a_sentence_longer_than_the_window_gets_overlapping_windows() {
        let p = plan(80, 6, 200, 50);
        let chunks = p.chunks(500, &[0]);
        assert_eq!(chunks, [0..200, 150..350, 300..500]);
        // Any two tokens at most `overlap` apart share a window.
        for a in 0..500 {
            for b in a..(a + 50).min(500) {
                assert!(chunks.iter().any(|c| c.contains(&a) && c.contains(&b)));
            }
        }
        // A long sentence between short ones: the short ones keep their own chunks.
        let chunks = p.chunks(320, &[0, 10, 310]);
        assert_eq!(chunks, [0..10, 10..210, 160..310, 310..320]);
    }

    #[test]
    fn units_are_every_sentence_alone_then_the_multi_sentence_chunks() {
        // A text like a training text is read whole.
        assert_eq!(
            plan(30, 2, 200, 50).units(25, &[0, 10, 18], |_, _| false),
            [(0..25, false)]
        );
        let p = plan(20, 2, 200, 50);
        let units = p.units(25, &[0, 10, 18], |_, _| false);
        assert_eq!(
            units,
            [
                (0..10, false),
                (10..18, false),
                (18..25, false),
                (0..18, true),
                (10..25, true)
            ]
        );
        // One sentence per chunk: sentences alone, nothing else.
        let single = plan(20, 1, 200, 50);
        assert_eq!(
            single.units(25, &[0, 10], |_, _| false),
            [(0..10, false), (10..25, false)]
        );
    }

    #[test]
    fn anaphora_joins_a_sentence_to_the_text_before_it_within_the_budget() {
        let p = ChunkPlan {
            whole_sentences: 3,
            links: SentenceLinks::Anaphora,
            ..plan(30, 2, 200, 50)
        };
        // Six sentences of 10 tokens (40 in all: too long to read whole); those starting at 10,
        // 20 and 50 open with an anaphor.
        let starts = [0, 10, 20, 30, 40, 50];
        let continues = |sentence: Range<usize>, _| [10, 20, 50].contains(&sentence.start);
        // 0..30 holds three sentences and 30 tokens: the budget; 30 and 40 start texts; 50
        // joins 40.
        assert_eq!(
            p.units(60, &starts, continues),
            [(0..30, false), (30..40, false), (40..60, false)]
        );
        // A budget of 20 tokens splits the first run after two sentences.
        let tight = ChunkPlan { tokens: 20, ..p };
        assert_eq!(
            tight.units(60, &starts, continues),
            [
                (0..20, false),
                (20..30, false),
                (30..40, false),
                (40..60, false)
            ]
        );
        // Nothing continues: every sentence alone, and no chunk adds links.
        assert!(p
            .units(60, &starts, |_, _| false)
            .iter()
            .all(|(r, joint)| r.len() == 10 && !joint));
        assert!(
            opens_with_anaphor("Its") && opens_with_anaphor("they") && !opens_with_anaphor("The")
        );
    }

    #[test]
    fn a_learned_decision_is_used_where_the_sentence_has_tags_else_the_pronouns() {
        let words = |s: &str| -> Vec<String> { s.split_whitespace().map(String::from).collect() };
        let (tokens, tags) = (words("The capital is Athens ."), words("DT NN VBZ NNP ."));
        // A decision that joins sentences whose subject names nothing, as this one.
        let learned = Continuation {
            weights: [("subject=none".to_owned(), 4.0)].into_iter().collect(),
            bias: -2.0,
            threshold: 0.5,
        };
        assert!(continues(Some(&learned), &tokens, Some(&tags), 1));
        // Without tags, or without a learned decision: `The` is no pronoun.
        assert!(!continues(Some(&learned), &tokens, None, 1));
        assert!(!continues(None, &tokens, Some(&tags), 1));
        let (it, it_tags) = (words("It is in Greece ."), words("PRP VBZ IN NNP ."));
        assert!(continues(None, &it, Some(&it_tags), 1));
        // The learned decision overrules the list: this one joins nothing.
        let never = Continuation {
            weights: Default::default(),
            bias: -5.0,
            threshold: 0.5,
        };
        assert!(!continues(Some(&never), &it, Some(&it_tags), 1));
    }

    #[test]
    fn an_overlap_of_half_a_window_or_more_is_clamped() {
        let p = plan(80, 6, 10, 9);
        let chunks = p.chunks(25, &[]);
        assert!(chunks.windows(2).all(|w| w[1].start > w[0].start));
        assert_eq!(chunks.last().map(|c| c.end), Some(25));
    }
}
