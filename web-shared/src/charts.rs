//! Small SVG charts as markup, free of the DOM (so they are tested natively):
//! bars per day, an hour × weekday heat map and flows between groups (who
//! moved from which segment to which). Each chart scales to its
//! container (`viewBox`, width 100 %), is one `role="img"` with a label, and
//! is decoration for sighted readers: the page puts the same numbers in a
//! `<table>` beside it. Colours come from CSS classes (`chart-bar`,
//! `chart-cell`), so dark mode needs no second chart.

/// Text for SVG markup: `&`, `<`, `>` and quotes escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A chart coordinate as `{:.N}` writes it (`Fixed(x, 0)`: a whole number as `{}` does),
/// through integers: core's float formatting is ≈ 30 KB of a page's Wasm, and the phone
/// formats no other float. Rounds half away from zero where `{:.N}` rounds half to even, a
/// tenth of a unit on a chart at most.
struct Fixed(f64, u32);

impl std::fmt::Display for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scale = 10u64.pow(self.1);
        // Saturates on what no chart computes (NaN reads as 0).
        let scaled = (self.0 * scale as f64).round() as i64;
        let sign = if scaled < 0 { "-" } else { "" };
        let magnitude = scaled.unsigned_abs();
        write!(f, "{sign}{}", magnitude / scale)?;
        if self.1 > 0 {
            write!(f, ".{:0width$}", magnitude % scale, width = self.1 as usize)?;
        }
        Ok(())
    }
}

const BAR_AREA_HEIGHT: f64 = 120.0;
const LABEL_HEIGHT: f64 = 16.0;
const WIDTH: f64 = 600.0;

/// Bars for `values` (label, value), in order, scaled to the largest; negative
/// values (a day of refunds) are drawn below the axis. `label` names the chart
/// for screen readers. Only the first and last labels are written under the
/// bars (the table beside holds every one).
pub fn bars(label: &str, values: &[(String, i64)]) -> String {
    let highest = values.iter().map(|(_, v)| *v).max().unwrap_or(0).max(0);
    let lowest = values.iter().map(|(_, v)| *v).min().unwrap_or(0).min(0);
    let span = (highest - lowest).max(1) as f64;
    let zero_y = BAR_AREA_HEIGHT * (highest as f64 / span);
    let count = values.len().max(1) as f64;
    let slot = WIDTH / count;
    let bar_width = (slot * 0.8).max(1.0);
    let height = BAR_AREA_HEIGHT + LABEL_HEIGHT;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\" \
         preserveAspectRatio=\"none\">",
        escape(label),
        WIDTH = Fixed(WIDTH, 0),
        height = Fixed(height, 0)
    );
    svg.push_str(&format!(
        "<line class=\"chart-axis\" x1=\"0\" x2=\"{WIDTH}\" y1=\"{zero_y_1}\" y2=\"{zero_y_1}\"/>",
        WIDTH = Fixed(WIDTH, 0),
        zero_y_1 = Fixed(zero_y, 1)
    ));
    for (index, (name, value)) in values.iter().enumerate() {
        let bar_height = BAR_AREA_HEIGHT * (value.unsigned_abs() as f64 / span);
        let x = index as f64 * slot + (slot - bar_width) / 2.0;
        let y = if *value >= 0 { zero_y - bar_height } else { zero_y };
        svg.push_str(&format!(
            "<rect class=\"chart-bar{}\" x=\"{x_1}\" y=\"{y_1}\" width=\"{bar_width_1}\" height=\"{bar_height_1}\">\
             <title>{}: {value}</title></rect>",
            if *value < 0 { " chart-bar-negative" } else { "" },
            escape(name),
            x_1 = Fixed(x, 1),
            y_1 = Fixed(y, 1),
            bar_width_1 = Fixed(bar_width, 1),
            bar_height_1 = Fixed(bar_height, 1)
        ));
    }
    let label_y = BAR_AREA_HEIGHT + LABEL_HEIGHT - 3.0;
    if let Some((first, _)) = values.first() {
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"0\" y=\"{label_y}\">{}</text>",
            escape(first),
            label_y = Fixed(label_y, 0)
        ));
    }
    if let (Some((last, _)), true) = (values.last(), values.len() > 1) {
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"{WIDTH}\" y=\"{label_y}\" text-anchor=\"end\">{}</text>",
            escape(last),
            WIDTH = Fixed(WIDTH, 0),
            label_y = Fixed(label_y, 0)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Monday first, as the dashboard's `hours[weekday]`.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const CELL: f64 = 22.0;
const ROW_LABEL: f64 = 34.0;

/// A heat map of `grid[weekday][hour]` (7 × 24): each cell's opacity is its
/// share of the busiest hour; an empty hour is a faint outline.
pub fn heat_map(label: &str, grid: &[Vec<i64>]) -> String {
    let busiest = grid.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let width = ROW_LABEL + 24.0 * CELL;
    let height = 7.0 * CELL + LABEL_HEIGHT;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        escape(label),
        width = Fixed(width, 0),
        height = Fixed(height, 0)
    );
    for (row, name) in WEEKDAYS.iter().enumerate() {
        let y = row as f64 * CELL;
        svg.push_str(&format!("<text class=\"chart-label\" x=\"0\" y=\"{}\">{name}</text>", Fixed(y + CELL * 0.7, 1)));
        for hour in 0..24usize {
            let visits = grid.get(row).and_then(|hours| hours.get(hour)).copied().unwrap_or(0);
            let opacity = if visits > 0 { 0.15 + 0.85 * (visits as f64 / busiest) } else { 0.0 };
            svg.push_str(&format!(
                "<rect class=\"chart-cell\" x=\"{}\" y=\"{y_1}\" width=\"{}\" height=\"{}\" \
                 fill-opacity=\"{opacity_2}\"><title>{name} {hour:02}:00: {visits}</title></rect>",
                Fixed(ROW_LABEL + hour as f64 * CELL, 1),
                Fixed(CELL - 2.0, 1),
                Fixed(CELL - 2.0, 1),
                y_1 = Fixed(y, 1),
                opacity_2 = Fixed(opacity, 2)
            ));
        }
    }
    for hour in [0usize, 6, 12, 18] {
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"{}\" y=\"{}\">{hour:02}</text>",
            Fixed(ROW_LABEL + hour as f64 * CELL, 1),
            Fixed(7.0 * CELL + LABEL_HEIGHT - 3.0, 1)
        ));
    }
    svg.push_str("</svg>");
    svg
}

const FLOW_WIDTH: f64 = 420.0;
const FLOW_LABEL: f64 = 110.0;
const FLOW_NODE: f64 = 10.0;
const FLOW_AREA: f64 = 200.0;
const FLOW_GAP: f64 = 6.0;
/// Labels are this far apart at least (in the chart's units), so small groups stay readable.
const FLOW_LINE: f64 = 15.0;

/// Where one side's groups stand: for each group with someone in it, its top and height.
fn flow_nodes(totals: &[i64], scale: f64) -> Vec<Option<(f64, f64)>> {
    let mut y = 0.0;
    totals
        .iter()
        .map(|total| {
            (*total > 0).then(|| {
                let height = (*total as f64 * scale).max(1.0);
                let node = (y, height);
                y += height + FLOW_GAP;
                node
            })
        })
        .collect()
}

/// Group labels ("Loyal 12") beside one side's nodes, pushed apart to one line each.
fn flow_labels(
    svg: &mut String,
    names: &[&str],
    totals: &[i64],
    nodes: &[Option<(f64, f64)>],
    x: f64,
    anchor: &str,
) -> f64 {
    let mut last = f64::NEG_INFINITY;
    for ((name, total), node) in names.iter().zip(totals).zip(nodes) {
        let Some((top, height)) = node else { continue };
        let y = (top + height / 2.0 + 4.0).max(last + FLOW_LINE).max(11.0);
        last = y;
        svg.push_str(&format!(
            "<text class=\"chart-label chart-flow-label\" x=\"{x_1}\" y=\"{y_1}\" text-anchor=\"{anchor}\">{} {total}</text>",
            escape(name),
            x_1 = Fixed(x, 1),
            y_1 = Fixed(y, 1)
        ));
    }
    last
}

/// Flows from groups at a start (`from`, left) to groups at an end (`to`, right): each of
/// `moves` (from index, to index, how many) is a band as thick as its share, between a node
/// per group that is as tall as the group. Groups with nobody are left out; labels name each
/// group with its total. Each band has a `<title>` "from → to: n".
pub fn flows(label: &str, from: &[&str], to: &[&str], moves: &[(usize, usize, i64)]) -> String {
    let moves: Vec<(usize, usize, i64)> =
        moves.iter().copied().filter(|(f, t, n)| *n > 0 && *f < from.len() && *t < to.len()).collect();
    let mut from_totals = vec![0i64; from.len()];
    let mut to_totals = vec![0i64; to.len()];
    for (f, t, n) in &moves {
        if let Some(total) = from_totals.get_mut(*f) {
            *total = total.saturating_add(*n);
        }
        if let Some(total) = to_totals.get_mut(*t) {
            *total = total.saturating_add(*n);
        }
    }
    let everyone = from_totals.iter().sum::<i64>().max(1) as f64;
    let groups = |totals: &[i64]| totals.iter().filter(|total| **total > 0).count().max(1) as f64;
    let gaps = (groups(&from_totals).max(groups(&to_totals)) - 1.0) * FLOW_GAP;
    let scale = (FLOW_AREA - gaps).max(FLOW_AREA / 2.0) / everyone;
    let (from_nodes, to_nodes) = (flow_nodes(&from_totals, scale), flow_nodes(&to_totals, scale));
    let (left, right) = (FLOW_LABEL, FLOW_WIDTH - FLOW_LABEL);
    let mut body = String::new();
    // Bands leave each start group and reach each end group in order, stacked from the top.
    let mut from_used = vec![0.0f64; from.len()];
    let mut to_used = vec![0.0f64; to.len()];
    for (f, t, n) in &moves {
        let (Some(Some((from_top, _))), Some(Some((to_top, _)))) = (from_nodes.get(*f), to_nodes.get(*t)) else {
            continue;
        };
        let thickness = (*n as f64 * scale).max(1.0);
        let (Some(from_offset), Some(to_offset)) = (from_used.get_mut(*f), to_used.get_mut(*t)) else { continue };
        let y1 = from_top + *from_offset + thickness / 2.0;
        let y2 = to_top + *to_offset + thickness / 2.0;
        *from_offset += thickness;
        *to_offset += thickness;
        let (x1, x2) = (left + FLOW_NODE, right - FLOW_NODE);
        let middle = (x1 + x2) / 2.0;
        let names = (from.get(*f).copied().unwrap_or(""), to.get(*t).copied().unwrap_or(""));
        body.push_str(&format!(
            "<path class=\"chart-flow{}\" d=\"M{x1_1} {y1_1}C{middle_1} {y1_1} {middle_1} {y2_1} {x2_1} {y2_1}\" \
             stroke-width=\"{thickness_1}\"><title>{} → {}: {n}</title></path>",
            if names.0 == names.1 { " chart-flow-stay" } else { "" },
            escape(names.0),
            escape(names.1),
            x1_1 = Fixed(x1, 1),
            y1_1 = Fixed(y1, 1),
            middle_1 = Fixed(middle, 1),
            y2_1 = Fixed(y2, 1),
            x2_1 = Fixed(x2, 1),
            thickness_1 = Fixed(thickness, 1)
        ));
    }
    for (nodes, x) in [(&from_nodes, left), (&to_nodes, right - FLOW_NODE)] {
        for (top, height) in nodes.iter().flatten() {
            body.push_str(&format!(
                "<rect class=\"chart-node\" x=\"{x_1}\" y=\"{top_1}\" width=\"{FLOW_NODE}\" height=\"{height_1}\"/>",
                x_1 = Fixed(x, 1),
                top_1 = Fixed(*top, 1),
                FLOW_NODE = Fixed(FLOW_NODE, 0),
                height_1 = Fixed(*height, 1)
            ));
        }
    }
    let lowest_left = flow_labels(&mut body, from, &from_totals, &from_nodes, left - 4.0, "end");
    let lowest_right = flow_labels(&mut body, to, &to_totals, &to_nodes, right + 4.0, "start");
    let height = FLOW_AREA.max(lowest_left + 4.0).max(lowest_right + 4.0);
    format!(
        "<svg class=\"chart chart-flows\" viewBox=\"0 0 {FLOW_WIDTH} {height_1}\" width=\"100%\" role=\"img\" \
         aria-label=\"{}\">{body}</svg>",
        escape(label),
        FLOW_WIDTH = Fixed(FLOW_WIDTH, 0),
        height_1 = Fixed(height, 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(haystack: &str, needle: &str) -> usize {
        haystack.matches(needle).count()
    }

    #[test]
    fn one_bar_per_value_scaled_to_the_largest_and_negatives_below_the_axis() {
        let values = vec![("2027-03-01".to_owned(), 10), ("2027-03-02".to_owned(), 0), ("2027-03-03".to_owned(), -5)];
        let svg = bars("Revenue per day", &values);
        assert_eq!(count(&svg, "<rect "), 3);
        assert_eq!(count(&svg, "chart-bar-negative"), 1);
        assert!(svg.contains("aria-label=\"Revenue per day\""));
        assert!(svg.contains("<title>2027-03-01: 10</title>"));
        // The largest bar spans from the top to the axis at 10/15 of the height.
        assert!(svg.contains("y=\"0.0\" width=\"160.0\" height=\"80.0\""), "{svg}");
        assert!(svg.contains(">2027-03-03</text>"));
    }

    #[test]
    fn an_empty_or_all_zero_series_draws_without_dividing_by_zero() {
        assert!(!bars("x", &[]).contains("NaN"));
        let zeros = bars("x", &[("a".to_owned(), 0), ("b".to_owned(), 0)]);
        assert!(!zeros.contains("NaN") && !zeros.contains("inf"), "{zeros}");
    }

    #[test]
    fn the_heat_map_has_a_cell_per_hour_of_the_week_shaded_by_its_share() {
        let mut grid = vec![vec![0i64; 24]; 7];
        grid[4][17] = 8;
        grid[0][9] = 2;
        let svg = heat_map("Visits by hour", &grid);
        assert_eq!(count(&svg, "<rect "), 7 * 24);
        assert!(svg.contains("<title>Fri 17:00: 8</title>"));
        assert_eq!(count(&svg, "fill-opacity=\"1.00\""), 1, "the busiest hour is solid");
        assert!(svg.contains("fill-opacity=\"0.36\""), "2 of 8: {svg}");
        // A short grid (never sent, but not trusted) reads as zeros.
        assert_eq!(count(&heat_map("x", &[]), "<rect "), 7 * 24);
    }

    #[test]
    fn flows_draw_a_band_per_move_and_a_node_per_group_with_someone_in_it() {
        let from = ["Not yet", "New", "Loyal"];
        let to = ["New", "Loyal", "Lost"];
        let svg = flows("Movement", &from, &to, &[(0, 0, 30), (1, 1, 10), (2, 1, 50), (2, 2, 10), (1, 2, 0)]);
        assert_eq!(count(&svg, "<path "), 4, "a move of nobody draws nothing: {svg}");
        assert!(svg.contains("<title>Loyal → Lost: 10</title>"));
        assert!(svg.contains("<title>Not yet → New: 30</title>"));
        assert_eq!(count(&svg, "chart-flow-stay"), 1, "Loyal stayed loyal");
        assert_eq!(count(&svg, "<rect class=\"chart-node\""), 6);
        // Totals on each side: Loyal had 60 at the start and 60 at the end.
        assert!(svg.contains(">Loyal 60</text>") && svg.contains(">Lost 10</text>") && svg.contains(">New 10</text>"));
        // 100 customers share the height left after two gaps: the biggest band is 50 of them.
        assert!(svg.contains("stroke-width=\"94.0\""), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn flows_of_nobody_or_out_of_range_groups_draw_an_empty_chart() {
        let svg = flows("x", &["a"], &["a"], &[]);
        assert!(svg.contains("role=\"img\"") && !svg.contains("<path") && !svg.contains("NaN"));
        let svg = flows("x", &["a"], &["a"], &[(3, 0, 5), (0, 0, 5)]);
        assert_eq!(count(&svg, "<path "), 1);
        assert!(svg.contains("chart-flow-stay"));
    }

    #[test]
    fn coordinates_read_as_core_formats_them() {
        for x in [0.0, 1.0, 0.04, 0.06, 33.333_333_333_333_336, 79.99, 600.0, 136.0, -0.5, -7.96, 1e6 + 0.44] {
            assert_eq!(Fixed(x, 1).to_string(), format!("{x:.1}"), "{x}");
            assert_eq!(Fixed(x, 2).to_string(), format!("{x:.2}"), "{x}");
        }
        assert_eq!(Fixed(600.0, 0).to_string(), format!("{}", 600.0));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = bars("<b>\"x\"</b>", &[("<script>".to_owned(), 1)]);
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;"));
    }
}
