//! The capability areas of the practices model (`MODEL.md`), in report order.

use serde::Serialize;

/// A capability area. The id is stable: it appears in rule ids, JSON, SARIF tags and config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Ci,
    Cd,
    Iac,
    Observability,
    Testing,
    Devenv,
    Security,
    Collaboration,
    Flow,
    Dora,
    Learning,
}

impl Area {
    /// Every area, in the fixed order reports use.
    pub const ALL: [Area; 11] = [
        Area::Ci,
        Area::Cd,
        Area::Iac,
        Area::Observability,
        Area::Testing,
        Area::Devenv,
        Area::Security,
        Area::Collaboration,
        Area::Flow,
        Area::Dora,
        Area::Learning,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Area::Ci => "ci",
            Area::Cd => "cd",
            Area::Iac => "iac",
            Area::Observability => "observability",
            Area::Testing => "testing",
            Area::Devenv => "devenv",
            Area::Security => "security",
            Area::Collaboration => "collaboration",
            Area::Flow => "flow",
            Area::Dora => "dora",
            Area::Learning => "learning",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Area::Ci => "Continuous integration",
            Area::Cd => "Continuous delivery",
            Area::Iac => "Infrastructure as code",
            Area::Observability => "Observability",
            Area::Testing => "Automated testing",
            Area::Devenv => "Developer environment",
            Area::Security => "Security automation",
            Area::Collaboration => "Shared ownership",
            Area::Flow => "Flow",
            Area::Dora => "Delivery signals",
            Area::Learning => "Continual learning",
        }
    }

    pub fn from_id(id: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|area| area.id() == id)
    }
}

impl std::fmt::Display for Area {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
