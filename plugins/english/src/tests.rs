use super::*;

fn toks(text: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    tokenize(text, &mut spans);
    spans.iter().map(|s| &text[s.start..s.end]).collect()
}

#[test]
fn splits_punctuation_and_clitics() {
    assert_eq!(
        toks("\"Hello,\" she said (quietly); John's dog can't bark!"),
        [
            "\"", "Hello", ",", "\"", "she", "said", "(", "quietly", ")", ";", "John", "'s", "dog",
            "ca", "n't", "bark", "!"
        ]
    );
    assert_eq!(
        toks("We're here, they've gone, I'm sure you'll see."),
        [
            "We", "'re", "here", ",", "they", "'ve", "gone", ",", "I", "'m", "sure", "you", "'ll",
            "see", "."
        ]
    );
    assert_eq!(
        toks("I cannot... I'm gonna DON'T it’s"),
        ["I", "can", "not", "...", "I", "'m", "gon", "na", "DO", "N'T", "it", "’s"]
    );
    assert_eq!(toks("the dogs' bones"), ["the", "dogs", "'", "bones"]);
    assert_eq!(toks("John 's , n't"), ["John", "'s", ",", "n't"]);
    assert_eq!(
        toks("the '90s and 'quotes'"),
        ["the", "'90s", "and", "'", "quotes", "'"]
    );
    assert_eq!(
        toks("``Yes,'' he said--twice."),
        ["``", "Yes", ",", "''", "he", "said", "--", "twice", "."]
    );
}

#[test]
fn keeps_abbreviations_numbers_and_compounds_whole() {
    assert_eq!(
        toks("A.C. Cesena has 23,900 members since 10/03/1983, e.g. Mr. J. Smith at 10:30."),
        [
            "A.C.",
            "Cesena",
            "has",
            "23,900",
            "members",
            "since",
            "10/03/1983",
            ",",
            "e.g.",
            "Mr.",
            "J.",
            "Smith",
            "at",
            "10:30",
            "."
        ]
    );
    assert_eq!(
        toks("a state-of-the-art AT&T and/or O'Neil's 3.14%"),
        [
            "a",
            "state-of-the-art",
            "AT&T",
            "and/or",
            "O'Neil",
            "'s",
            "3.14",
            "%"
        ]
    );
    assert_eq!(
        toks("It cost $5.50 in the U.S."),
        ["It", "cost", "$", "5.50", "in", "the", "U.S."]
    );
    assert_eq!(toks("red,green 1,2"), ["red", ",", "green", "1,2"]);
}

#[test]
fn keeps_urls_and_emails_whole() {
    assert_eq!(
        toks("See https://en.wikipedia.org/wiki/Rome_(city), or (www.example.com). Mail jane.doe@example.co.uk!"),
        [
            "See", "https://en.wikipedia.org/wiki/Rome_(city)", ",", "or", "(", "www.example.com",
            ")", ".", "Mail", "jane.doe@example.co.uk", "!"
        ]
    );
}

#[test]
fn handles_other_scripts_and_emoji() {
    assert_eq!(
        toks("Café naïve São Paulo"),
        ["Café", "naïve", "São", "Paulo"]
    );
    // A decomposed e + combining acute stays one word.
    assert_eq!(toks("cafe\u{301}!"), ["cafe\u{301}", "!"]);
    assert_eq!(
        toks("東京は大きい。"),
        ["東", "京", "は", "大", "きい", "。"]
    );
    assert_eq!(
        toks("Hi😀😀! 👩‍👩‍👧 👍🏽 🇮🇹"),
        ["Hi", "😀", "😀", "!", "👩‍👩‍👧", "👍🏽", "🇮🇹"]
    );
    assert_eq!(toks("Привет, мир."), ["Привет", ",", "мир", "."]);
}

#[test]
fn every_non_space_char_is_in_exactly_one_token() {
    let text = " «Ça va?» — l’été 2024… ok‽ x\u{301}\u{200D}\u{FE0F} \u{200D}a ##1️⃣ ";
    let mut spans = Vec::new();
    tokenize(text, &mut spans);
    let mut last = 0;
    let mut joined = String::new();
    for s in &spans {
        assert!(s.start >= last && s.start < s.end && s.end <= text.len());
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        assert!(!text[s.start..s.end].contains(char::is_whitespace));
        joined.push_str(&text[s.start..s.end]);
        last = s.end;
    }
    assert_eq!(joined, text.split_whitespace().collect::<String>());
}

mod random {
    use proptest::prelude::*;
    use rin_plugin_sdk::testing::{check_tokenizer, AWKWARD_CHARS, AWKWARD_FRAGMENTS};

    use crate::EnglishTokenizer;

    /// Text made of arbitrary chars, awkward chars and special-case fragments, mixed.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            any::<char>().prop_map(String::from),
            prop::sample::select(AWKWARD_CHARS).prop_map(String::from),
            prop::sample::select(AWKWARD_FRAGMENTS).prop_map(String::from),
            "[a-zA-Z0-9.,'-]{1,6}",
        ];
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn offsets_hold_on_arbitrary_utf8(s in text()) {
            prop_assert_eq!(check_tokenizer(&EnglishTokenizer, &s), Ok(()));
        }

        #[test]
        fn offsets_hold_on_arbitrary_strings(s in any::<String>()) {
            prop_assert_eq!(check_tokenizer(&EnglishTokenizer, &s), Ok(()));
        }
    }
}
