//! Numbers for people: sizes in binary units and counted nouns.

/// A size for people in binary units, three significant digits: `512 B`, `1.47 GiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let digits = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.digits$} {}", UNITS[unit])
}

/// `1 problem`, `2 problems`: a count and a noun, the noun plural unless the count is one
/// (`plural` is the plural form).
pub fn counted(n: u64, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_binary_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1024), "1.00 KiB");
        assert_eq!(human_bytes(1_578_446_848), "1.47 GiB");
        assert_eq!(human_bytes(150 << 20), "150 MiB");
        assert_eq!(human_bytes(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn nouns_counted() {
        assert_eq!(counted(1, "problem", "problems"), "1 problem");
        assert_eq!(counted(0, "problem", "problems"), "0 problems");
        assert_eq!(counted(3, "blob", "blobs"), "3 blobs");
    }
}
