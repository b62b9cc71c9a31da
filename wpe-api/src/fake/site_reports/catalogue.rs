//! The catalogue of report sections: their groups, their order and which are mandatory.

/// One section of the catalogue.
pub(super) struct SectionDef {
    pub(super) name: &'static str,
    pub(super) display_text: &'static str,
    pub(super) group: &'static str,
    pub(super) mandatory: bool,
}

/// The groups of the catalogue: name and title.
pub(super) const GROUPS: &[(&str, &str)] = &[
    ("introduction", "Introduction"),
    ("hosting", "Hosting"),
    ("wordpress", "WordPress"),
    ("security", "Security"),
    ("closing", "Closing notes"),
];

/// Every section a site report can contain, in report order.
pub(super) const SECTIONS: &[SectionDef] = &[
    SectionDef {
        name: "cover",
        display_text: "Front page",
        group: "introduction",
        mandatory: true,
    },
    SectionDef {
        name: "overview",
        display_text: "The period at a glance",
        group: "introduction",
        mandatory: true,
    },
    SectionDef {
        name: "usage",
        display_text: "Visits and bandwidth",
        group: "hosting",
        mandatory: false,
    },
    SectionDef {
        name: "storage",
        display_text: "Disk use",
        group: "hosting",
        mandatory: false,
    },
    SectionDef {
        name: "uptime",
        display_text: "Availability",
        group: "hosting",
        mandatory: false,
    },
    SectionDef {
        name: "backups",
        display_text: "Backups taken",
        group: "hosting",
        mandatory: false,
    },
    SectionDef {
        name: "core",
        display_text: "WordPress version",
        group: "wordpress",
        mandatory: false,
    },
    SectionDef {
        name: "plugins",
        display_text: "Plugin updates",
        group: "wordpress",
        mandatory: false,
    },
    SectionDef {
        name: "themes",
        display_text: "Theme updates",
        group: "wordpress",
        mandatory: false,
    },
    SectionDef {
        name: "certificates",
        display_text: "TLS certificates",
        group: "security",
        mandatory: false,
    },
    SectionDef {
        name: "vulnerabilities",
        display_text: "Known vulnerabilities",
        group: "security",
        mandatory: false,
    },
    SectionDef {
        name: "notes",
        display_text: "Notes from your team",
        group: "closing",
        mandatory: false,
    },
];

/// Where a section sits in the catalogue; `None` for an unknown name.
pub(super) fn section_order(name: &str) -> Option<usize> {
    SECTIONS.iter().position(|s| s.name == name)
}

/// `names` with the mandatory sections added, deduplicated, in catalogue
/// order (names must be known).
pub(super) fn with_mandatory<'n>(names: impl IntoIterator<Item = &'n str>) -> Vec<String> {
    let mut picked = vec![false; SECTIONS.len()];
    for name in names {
        if let Some(at) = section_order(name) {
            picked[at] = true;
        }
    }
    SECTIONS
        .iter()
        .zip(picked)
        .filter(|(s, picked)| *picked || s.mandatory)
        .map(|(s, _)| s.name.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mandatory_sections_are_added_in_catalogue_order() {
        assert_eq!(
            with_mandatory(["plugins", "usage", "plugins"]),
            ["cover", "overview", "usage", "plugins"]
        );
    }
}
