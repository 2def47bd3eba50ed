//! The `none` tagger plugin, for models trained without part-of-speech input.
//!
//! It gives every token the single tag `_` of the tagset `none`, so the pipeline stays the same
//! shape whether or not a model uses POS tags, and a model trained with a real tagger refuses it
//! through the host's tagset check.
//!
//! ```
//! use rin_plugin_none::NoneTagger;
//! use rin_plugin_sdk::Tagger;
//!
//! let tagger = NoneTagger::init().unwrap();
//! assert_eq!(tagger.tag_to_strings(&["Rome", "is", "old"]).unwrap(), ["_", "_", "_"]);
//! ```

use rin_plugin_sdk::{export_tagger, Metadata, PluginError, Tagger, Tagset};

/// Name of the tagset of the `none` tagger.
pub const TAGSET: &str = "none";
/// The only tag of the `none` tagger.
pub const TAG: &str = "_";

/// Tags every token with [`TAG`].
#[derive(Clone, Debug)]
pub struct NoneTagger {
    tagset: Tagset,
}

impl Tagger for NoneTagger {
    fn init() -> Result<Self, PluginError> {
        Ok(NoneTagger {
            tagset: Tagset::new(TAGSET, [TAG]),
        })
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            name: "none",
            version: env!("CARGO_PKG_VERSION"),
            description:
                "no part-of-speech tags (one placeholder tag) for models trained without POS",
        }
    }

    fn tagset(&self) -> &Tagset {
        &self.tagset
    }

    fn tag(&self, tokens: &[&str], tags: &mut Vec<u32>) -> Result<(), PluginError> {
        tags.resize(tokens.len(), 0);
        Ok(())
    }
}

export_tagger!(NoneTagger);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tag_per_token() {
        let tagger = NoneTagger::init().unwrap();
        let mut tags = Vec::new();
        tagger.tag(&[], &mut tags).unwrap();
        assert!(tags.is_empty());
        tagger.tag(&["a", "b"], &mut tags).unwrap();
        assert_eq!(tags, [0, 0]);
        assert_eq!(tagger.tagset().tags(), [TAG]);
    }
}
