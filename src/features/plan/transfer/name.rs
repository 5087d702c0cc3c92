//! What an exported file is called: the tenant, the plan's title and its
//! years ("veridia-national-action-plan-against-forced-labour-2025-2029"),
//! so a downloaded file says which plan it holds.

use crate::features::plan::model::Nap;

/// The longest name before the extension.
const MAX_STEM: usize = 80;

/// Lower-case ASCII letters and digits, every run of anything else one
/// hyphen; accented Latin letters lose their accents ("é" is "e", "ñ" is
/// "n", "œ" is "oe"), other scripts are left out.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if let Some(plain) = crate::text::unaccent(c) {
            out.push_str(plain);
        } else if !c.is_alphanumeric() && !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The export's file name: `{tenant}-{title}-{start}-{end}.{extension}`,
/// the title shortened at a word so the name before the extension stays
/// within 80 characters. A title that already starts with the tenant or
/// ends with the years does not say them twice.
pub fn export_name(tenant: &str, nap: &Nap, extension: &str) -> String {
    file_name(
        tenant,
        &nap.title,
        (nap.start_year, nap.end_year),
        extension,
    )
}

fn file_name(tenant: &str, title: &str, (start, end): (i32, i32), extension: &str) -> String {
    let tenant = slug(tenant);
    let years = format!("{start}-{end}");
    let mut title = slug(title);
    if let Some(rest) = title.strip_prefix(&format!("{tenant}-")) {
        title = rest.to_owned();
    }
    if let Some(rest) = title.strip_suffix(&format!("-{years}")) {
        title = rest.to_owned();
    }
    let room = MAX_STEM.saturating_sub(tenant.len() + years.len() + 2);
    if title.len() > room {
        let cut = title[..=room]
            .rfind('-')
            .filter(|at| *at > 0)
            .unwrap_or(room);
        title.truncate(cut);
        title = title.trim_end_matches('-').to_owned();
    }
    let stem = [tenant.as_str(), title.as_str(), years.as_str()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{stem}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(tenant: &str, title: &str, extension: &str) -> String {
        file_name(tenant, title, (2025, 2029), extension)
    }

    #[test]
    fn a_file_is_named_after_its_plan() {
        assert_eq!(
            named(
                "veridia",
                "National Action Plan against Forced Labour",
                "xlsx"
            ),
            "veridia-national-action-plan-against-forced-labour-2025-2029.xlsx"
        );
        assert_eq!(
            named(
                "veridia",
                "Plan d’action national contre le travail forcé et l’esclavage",
                "csv"
            ),
            "veridia-plan-d-action-national-contre-le-travail-force-et-l-esclavage-2025-2029.csv"
        );
        assert_eq!(
            named("veridia", "Veridia NAP 2025–2029", "csv"),
            "veridia-nap-2025-2029.csv"
        );
        assert_eq!(named("veridia", "План", "csv"), "veridia-2025-2029.csv");
    }

    #[test]
    fn a_long_title_is_cut_at_a_word() {
        let long = "National Action Plan on the Elimination of Forced Labour, Child Labour and Trafficking in Persons for the Benefit of All";
        let name = named("veridia", long, "xlsx");
        let stem = name.strip_suffix(".xlsx").unwrap();
        assert!(stem.len() <= 80, "{stem}");
        assert!(stem.ends_with("-2025-2029"), "{stem}");
        assert!(!stem.contains("--"), "{stem}");
        assert!(name.is_ascii());
        assert_eq!(
            stem,
            "veridia-national-action-plan-on-the-elimination-of-forced-labour-child-2025-2029"
        );
    }
}
