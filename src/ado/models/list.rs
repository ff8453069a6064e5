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

/// One list item, read on its own: a `T`, or why it is not one. Each item passes through a
/// transient JSON value, so a large list never exists twice in memory.
pub enum Item<T> {
    Read(T),
    Unreadable { id: Option<String>, reason: String },
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Item<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Ok(match T::deserialize(&value) {
            Ok(item) => Item::Read(item),
            Err(e) => Item::Unreadable {
                id: item_id(&value),
                reason: e.to_string(),
            },
        })
    }
}

impl<T> Listed<T> {
    /// Adds the items of one page; an unreadable one becomes an [`UnknownItem`] of `kind`.
    pub fn extend_from(&mut self, kind: ItemKind, items: Vec<Item<T>>) {
        for item in items {
            match item {
                Item::Read(item) => self.items.push(item),
                Item::Unreadable { id, reason } => self.unknown.push(UnknownItem {
                    kind,
                    id,
                    reason: format!("could not read the {}: {reason}", kind_word(kind)),
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
