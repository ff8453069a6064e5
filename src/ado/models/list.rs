use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::lenient::item_id;

/// The `{ "count": n, "value": [...] }` envelope of every Azure DevOps list.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ListResponse<T> {
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
}

/// What kind of list item could not be understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Subscription,
    Policy,
    Repository,
}

/// One list item the tool could not understand: reported, while the rest of the list is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownItem {
    pub kind: ItemKind,
    /// The item's `id`, when even that could not be read: `None`.
    pub id: Option<String>,
    pub reason: String,
}

/// A list read item by item, so one odd item (another tool's subscription, a hand-made policy)
/// never makes the whole list unreadable.
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub unknown: Vec<UnknownItem>,
}

impl<T> Default for Listed<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            unknown: Vec::new(),
        }
    }
}

impl<T: DeserializeOwned> Listed<T> {
    /// Reads each raw item as `T`; an item that does not fit becomes an [`UnknownItem`].
    pub fn extend_from(&mut self, kind: ItemKind, raw: Vec<serde_json::Value>) {
        for value in raw {
            match T::deserialize(&value) {
                Ok(item) => self.items.push(item),
                Err(e) => self.unknown.push(UnknownItem {
                    kind,
                    id: item_id(&value),
                    reason: format!("could not read the {}: {e}", kind_word(kind)),
                }),
            }
        }
    }
}

fn kind_word(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Subscription => "subscription",
        ItemKind::Policy => "policy",
        ItemKind::Repository => "repository",
    }
}
