use super::*;

struct Upper;

impl Tokenizer for Upper {
    fn init() -> Result<Self, PluginError> {
        Ok(Upper)
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            name: "upper",
            version: "1",
            description: "test",
        }
    }

    fn tokenize(&self, text: &str, spans: &mut Vec<Span>) -> Result<(), PluginError> {
        if text.is_empty() {
            return Err(PluginError::new("empty"));
        }
        spans.push(Span {
            start: 0,
            end: text.len(),
        });
        Ok(())
    }
}

#[test]
fn tagset_indexes_tags_once() {
    let set = Tagset::new("t", ["A", "B", "A"]);
    assert_eq!(set.len(), 2);
    assert_eq!(set.id("B"), Some(1));
    assert_eq!(set.tag(0), Some("A"));
    assert_eq!(set.tag(2), None);
    assert_eq!(set.name(), "t");
}

#[test]
fn tokenize_to_strs_slices_the_text() {
    let t = Upper::init().unwrap();
    assert_eq!(t.tokenize_to_strs("héllo").unwrap(), ["héllo"]);
    assert_eq!(t.tokenize_to_strs("").unwrap_err().message(), "empty");
}
