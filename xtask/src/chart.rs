//! The throughput curve as an SVG chart, drawn with `plotters` (SVG backend
//! only, no font files): requests per second against concurrent callers, one
//! colour per provider, SDK solid with dots, raw reqwest thin with crosses.

use std::path::Path;

use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;

use crate::throughput::{CONCURRENCY, PROVIDERS, Point};

const COLOURS: [RGBColor; 4] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
];

/// The series of one provider and mode: (x index of the concurrency level, req/s).
fn series(points: &[Point], provider: &str, mode: &str) -> Vec<(i32, f64)> {
    CONCURRENCY
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            points
                .iter()
                .find(|p| p.provider == provider && p.mode == mode && p.concurrency == *c)
                .and_then(|p| p.rps.to_f64())
                .map(|rps| (i as i32, rps))
        })
        .collect()
}

/// Renders the chart into an SVG string.
// Plot coordinates are f64 in plotters; no amount of money is drawn here.
#[allow(clippy::float_arithmetic)]
pub(crate) fn svg(points: &[Point], title: &str) -> Result<String, String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (900, 540)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let max = points
            .iter()
            .filter_map(|p| p.rps.to_f64())
            .fold(0.0_f64, f64::max)
            .max(1.0)
            * 1.1;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(72)
            // One step per concurrency level, with a step of margin either side.
            .build_cartesian_2d(-1_i32..CONCURRENCY.len() as i32, 0.0_f64..max)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_labels(CONCURRENCY.len() + 2)
            .x_label_formatter(&|x| {
                usize::try_from(*x)
                    .ok()
                    .and_then(|i| CONCURRENCY.get(i))
                    .map_or_else(String::new, u32::to_string)
            })
            .x_desc("concurrent callers")
            .y_desc("requests per second")
            .draw()
            .map_err(|e| e.to_string())?;
        for (provider, colour) in PROVIDERS.iter().zip(COLOURS) {
            let sdk = series(points, provider, "sdk");
            chart
                .draw_series(LineSeries::new(sdk.clone(), colour.stroke_width(3)))
                .map_err(|e| e.to_string())?
                .label(format!("{provider} SDK"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3)));
            chart
                .draw_series(sdk.iter().map(|(x, y)| Circle::new((*x, *y), 4, colour.filled())))
                .map_err(|e| e.to_string())?;
            let raw = series(points, provider, "raw");
            chart
                .draw_series(LineSeries::new(raw.clone(), colour.stroke_width(1)))
                .map_err(|e| e.to_string())?
                .label(format!("{provider} raw reqwest"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(1)));
            chart
                .draw_series(raw.iter().map(|(x, y)| Cross::new((*x, *y), 5, colour.stroke_width(2))))
                .map_err(|e| e.to_string())?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(text)
}

/// Writes the chart to `path`.
pub(crate) fn write(points: &[Point], title: &str, path: &Path) -> Result<(), String> {
    let text = svg(points, title)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(path, text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn p(provider: &str, mode: &str, c: u32, rps: i64) -> Point {
        Point {
            provider: provider.into(),
            mode: mode.into(),
            concurrency: c,
            rps: Decimal::from(rps),
            requests: 1,
            cpu_ms: 1,
            peak_rss_kib: 1,
            failures: 0,
        }
    }

    #[test]
    fn series_follow_the_concurrency_levels() {
        let points = [
            p("epoint", "sdk", 64, 900),
            p("epoint", "sdk", 1, 100),
            p("epoint", "raw", 1, 90),
        ];
        assert_eq!(series(&points, "epoint", "sdk"), vec![(0, 100.0), (2, 900.0)]);
        assert_eq!(series(&points, "epoint", "raw"), vec![(0, 90.0)]);
        assert!(series(&points, "qr-wallet", "sdk").is_empty());
    }

    #[test]
    fn renders_an_svg_with_the_legend() {
        let points = [
            p("epoint", "sdk", 1, 100),
            p("epoint", "raw", 1, 90),
            p("epoint", "sdk", 16, 900),
        ];
        let svg = svg(&points, "throughput").unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
        assert!(svg.contains("epoint SDK"));
        assert!(svg.contains("epoint raw reqwest"));
        assert!(svg.contains("concurrent callers"));
        for label in ["1", "16", "64", "256"] {
            assert!(svg.contains(&format!(">\n{label}\n</text>")), "x label {label}: {svg}");
        }
    }
}
