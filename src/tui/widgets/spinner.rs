//! Progress without a known end: a braille spinner driven by the runner's ~100 ms tick.

const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for a tick count; a pure function so snapshots are stable.
pub fn frame(tick: u64) -> &'static str {
    // The modulo keeps the index below FRAMES.len(), so it always fits in usize and indexes safely.
    FRAMES[(tick % FRAMES.len() as u64) as usize]
}

#[cfg(test)]
mod tests {
    #[test]
    fn frames_cycle() {
        assert_eq!(super::frame(0), super::frame(10));
        assert_ne!(super::frame(0), super::frame(1));
    }
}
