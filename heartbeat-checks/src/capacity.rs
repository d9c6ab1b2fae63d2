//! What the disk and memory checks share: a floor under what is available,
//! and figures shown both in bytes and as people read them.

use heartbeat_core::Outcome;

/// The least that must stay available: bytes, a share of the total, or
/// both.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Floor {
    pub(crate) bytes: Option<u64>,
    pub(crate) percent: Option<f64>,
}

impl Floor {
    /// At least 5% of the total: where both checks start.
    pub(crate) const DEFAULT: Self = Self {
        bytes: None,
        percent: Some(5.0),
    };

    /// This floor, and at least `bytes` too.
    pub(crate) fn with_bytes(self, bytes: u64) -> Self {
        Self {
            bytes: Some(bytes),
            ..self
        }
    }

    /// This floor, with at least `percent` (0 to 100) of the total in place
    /// of any share set before; zero turns that part off.
    pub(crate) fn with_percent(self, percent: f64) -> Self {
        Self {
            percent: (percent > 0.0).then_some(percent),
            ..self
        }
    }

    /// Passes when `available` (out of `total`) is at or above every floor
    /// set, and shows the figures either way.
    pub(crate) fn judge(&self, what: &str, available: u64, total: u64) -> Outcome {
        let percent = percent_of(available, total);

        let mut shortfalls = Vec::new();
        if let Some(floor) = self.bytes
            && available < floor
        {
            shortfalls.push(format!("below the minimum of {}", human_bytes(floor)));
        }
        if let Some(floor) = self.percent
            && percent < floor
        {
            shortfalls.push(format!("below the minimum of {floor}%"));
        }

        let outcome = if shortfalls.is_empty() {
            Outcome::pass()
        } else {
            Outcome::fail(format!(
                "{} of {} {what} available ({percent}%), {}",
                human_bytes(available),
                human_bytes(total),
                shortfalls.join(" and ")
            ))
        };

        let mut outcome = outcome
            .with("available_bytes", available)
            .with("total_bytes", total)
            .with("available", human_bytes(available))
            .with("total", human_bytes(total))
            .with("available_percent", percent);
        if let Some(floor) = self.bytes {
            outcome = outcome
                .with("min_available_bytes", floor)
                .with("min_available", human_bytes(floor));
        }
        if let Some(floor) = self.percent {
            outcome = outcome.with("min_available_percent", floor);
        }
        outcome
    }
}

/// `part` as a percentage of `whole`, to two decimals; zero of nothing.
fn percent_of(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let percent = part as f64 * 100.0 / whole as f64;
    (percent * 100.0).round() / 100.0
}

/// A size as people read it: `512 B`, `1.5 KiB`, `12.3 GiB`.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for next in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 << 30), "5.0 GiB");
        assert_eq!(human_bytes(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn every_floor_must_hold() {
        let floor = Floor {
            bytes: Some(1 << 30),
            percent: Some(10.0),
        };
        assert!(floor.judge("disk space", 2 << 30, 10 << 30).status());

        let short = floor.judge("disk space", 512 << 20, 10 << 30);
        assert_eq!(
            short.message(),
            Some(
                "512.0 MiB of 10.0 GiB disk space available (5%), below the minimum of 1.0 GiB \
                 and below the minimum of 10%"
            )
        );
        assert_eq!(short.data()["available_bytes"], 512_u64 << 20);
    }

    #[test]
    fn no_total_means_nothing_available() {
        let floor = Floor {
            bytes: None,
            percent: Some(1.0),
        };
        assert!(!floor.judge("memory", 0, 0).status());
    }
}
