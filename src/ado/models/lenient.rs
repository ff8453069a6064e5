//! Deserialisers that accept what real organizations send: Azure DevOps stores many values exactly
//! as the creating client sent them, so `null` appears wherever a field may be absent
//! (`azure-devops-api.md` §13). Each helper maps `null` to the same value as absence.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `null` or absent → `T::default()`.
pub(crate) fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A string-to-string input map (`publisherInputs`, `consumerInputs`). A `null` value is dropped
/// (it filters nothing); numbers and booleans keep their JSON text; a `null` map is empty.
pub(crate) fn inputs<'de, D>(d: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: Deserializer<'de>,
{
    let raw = Option::<BTreeMap<String, Value>>::deserialize(d)?.unwrap_or_default();
    Ok(raw
        .into_iter()
        .filter_map(|(key, value)| match value {
            Value::Null => None,
            Value::String(s) => Some((key, s)),
            other => Some((key, other.to_string())),
        })
        .collect())
}

/// The `id` of a list item that could not be read, for the report (a string or a number).
pub(crate) fn item_id(item: &Value) -> Option<String> {
    match item.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "or_default")]
        flag: bool,
        #[serde(default, deserialize_with = "or_default")]
        list: Vec<String>,
        #[serde(default, deserialize_with = "inputs")]
        map: BTreeMap<String, String>,
    }

    #[test]
    fn null_reads_as_absent_and_inputs_keep_scalars() {
        let p: Probe = serde_json::from_str(
            r#"{"flag": null, "list": null, "map": {"a": null, "b": "x", "c": 3, "d": true}}"#,
        )
        .unwrap();
        assert!(!p.flag && p.list.is_empty());
        assert_eq!(
            p.map.into_iter().collect::<Vec<_>>(),
            [
                ("b".into(), "x".into()),
                ("c".into(), "3".into()),
                ("d".into(), "true".into())
            ]
        );
        let p: Probe = serde_json::from_str(r#"{"map": null}"#).unwrap();
        assert!(p.map.is_empty());
    }
}
