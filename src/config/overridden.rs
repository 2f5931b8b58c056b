//! One change a repository's own config made to the bar it is judged against, as every
//! report lists it (`repository.overrides`); `overrides` finds them.

use serde::{Deserialize, Serialize};

/// One change a repository's own config made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    /// `disable`, `exempt`, `severity`, `min-count`, `threshold`, `custom-rule`, `exclude`
    /// or `baseline`.
    pub kind: String,
    /// The rule or area id; the glob for `exclude`, the file for `baseline`.
    pub id: String,
    /// The value before (the organisation's, or the default) and the repository's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Why a rule is exempted; a custom rule's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A custom rule's weight in its area's score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// The organisation's config locks what this would lower: the change was not applied.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refused: bool,
    /// For a refused area: the locked rules that stay on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Override {
    pub(super) fn new(kind: &str, id: &str) -> Override {
        Override {
            kind: kind.to_owned(),
            id: id.to_owned(),
            from: None,
            to: None,
            reason: None,
            weight: None,
            refused: false,
            detail: None,
        }
    }

    pub(super) fn changed(kind: &str, id: &str, from: String, to: String) -> Override {
        Override {
            from: Some(from),
            to: Some(to),
            ..Override::new(kind, id)
        }
    }

    /// The change in words: "turns off `learning`", "lowers the severity of `ci.lint` from
    /// error to note (refused: locked by the organisation)".
    pub fn describe(&self) -> String {
        let (id, from, to) = (
            &self.id,
            self.from.as_deref().unwrap_or("?"),
            self.to.as_deref().unwrap_or("?"),
        );
        let mut text = match self.kind.as_str() {
            "disable" => format!("turns off `{id}`"),
            "exempt" => format!(
                "exempts `{id}` (\"{}\")",
                self.reason.as_deref().unwrap_or_default()
            ),
            "severity" => format!("sets the severity of `{id}` from {from} to {to}"),
            "min-count" => format!("sets the min-count of `{id}` from {from} to {to}"),
            "threshold" => format!("sets the threshold of `{id}` from {from} to {to}"),
            "custom-rule" => format!(
                "adds the custom rule `{id}` (weight {}): {}",
                self.weight.unwrap_or(1),
                self.reason.as_deref().unwrap_or_default()
            ),
            "exclude" => format!("excludes `{id}` from evidence"),
            "baseline" => format!("accepts the failures its baseline `{id}` lists"),
            other => format!("{other} `{id}`"),
        };
        if self.refused {
            text.push_str(" (refused: locked by the organisation");
            if let Some(detail) = &self.detail {
                text.push_str("; ");
                text.push_str(detail);
            }
            text.push(')');
        }
        text
    }
}
