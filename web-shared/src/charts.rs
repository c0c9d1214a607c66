//! Small SVG charts as markup, free of the DOM (so they are tested natively):
//! bars per day and an hour × weekday heat map. Each chart scales to its
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
        escape(label)
    );
    svg.push_str(&format!(
        "<line class=\"chart-axis\" x1=\"0\" x2=\"{WIDTH}\" y1=\"{zero_y:.1}\" y2=\"{zero_y:.1}\"/>"
    ));
    for (index, (name, value)) in values.iter().enumerate() {
        let bar_height = BAR_AREA_HEIGHT * (value.unsigned_abs() as f64 / span);
        let x = index as f64 * slot + (slot - bar_width) / 2.0;
        let y = if *value >= 0 { zero_y - bar_height } else { zero_y };
        svg.push_str(&format!(
            "<rect class=\"chart-bar{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_width:.1}\" height=\"{bar_height:.1}\">\
             <title>{}: {value}</title></rect>",
            if *value < 0 { " chart-bar-negative" } else { "" },
            escape(name)
        ));
    }
    let label_y = BAR_AREA_HEIGHT + LABEL_HEIGHT - 3.0;
    if let Some((first, _)) = values.first() {
        svg.push_str(&format!("<text class=\"chart-label\" x=\"0\" y=\"{label_y}\">{}</text>", escape(first)));
    }
    if let (Some((last, _)), true) = (values.last(), values.len() > 1) {
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"{WIDTH}\" y=\"{label_y}\" text-anchor=\"end\">{}</text>",
            escape(last)
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
        escape(label)
    );
    for (row, name) in WEEKDAYS.iter().enumerate() {
        let y = row as f64 * CELL;
        svg.push_str(&format!("<text class=\"chart-label\" x=\"0\" y=\"{:.1}\">{name}</text>", y + CELL * 0.7));
        for hour in 0..24usize {
            let visits = grid.get(row).and_then(|hours| hours.get(hour)).copied().unwrap_or(0);
            let opacity = if visits > 0 { 0.15 + 0.85 * (visits as f64 / busiest) } else { 0.0 };
            svg.push_str(&format!(
                "<rect class=\"chart-cell\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" \
                 fill-opacity=\"{opacity:.2}\"><title>{name} {hour:02}:00: {visits}</title></rect>",
                ROW_LABEL + hour as f64 * CELL,
                CELL - 2.0,
                CELL - 2.0
            ));
        }
    }
    for hour in [0usize, 6, 12, 18] {
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"{:.1}\" y=\"{:.1}\">{hour:02}</text>",
            ROW_LABEL + hour as f64 * CELL,
            7.0 * CELL + LABEL_HEIGHT - 3.0
        ));
    }
    svg.push_str("</svg>");
    svg
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
    fn labels_are_escaped() {
        let svg = bars("<b>\"x\"</b>", &[("<script>".to_owned(), 1)]);
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;"));
    }
}
