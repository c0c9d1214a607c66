//! The recent scans list (see `crate::recent_scans`), newest first.

use crate::dom;
use crate::recent_scans::RecentScan;

/// Redraws the list; all text goes in as text (a bill's description comes from its issuer).
pub fn render(scans: &[RecentScan]) {
    dom::clear_children("recent-scans");
    dom::set_hidden("recent-empty", !scans.is_empty());
    let Some(list) = dom::element("recent-scans") else { return };
    for scan in scans {
        let Some(item) = dom::create("li") else { continue };
        let _ = item.set_attribute("data-tone", scan.tone.as_str());
        let time = crate::locale::time(scan.at);
        for (class, text) in
            [("recent-time", time.as_str()), ("recent-subject", &scan.subject), ("recent-verdict", &scan.verdict)]
        {
            if let Some(part) = dom::create_text("span", class, text) {
                let _ = item.append_child(&part);
            }
        }
        let _ = list.append_child(&item);
    }
}
