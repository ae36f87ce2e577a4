//! Machine-wide CPU accounting over a benchmark pass (Linux `/proc/stat`): the CPU time every
//! process used (ours and the servers beside us) and the share the hypervisor took away (steal).
//! On a shared virtual machine the wall-clock rate swings with steal; CPU time per unit of work
//! does not, so both are reported beside the rate.

/// Cumulative jiffies of the `cpu` line of `/proc/stat`.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    busy: u64,
    idle: u64,
    steal: u64,
}

/// What the machine's CPUs did between two samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuUse {
    /// CPU seconds spent running anything (user, nice, system, interrupts).
    pub busy_seconds: f64,
    /// Share of the elapsed CPU time the hypervisor gave to others, in percent.
    pub steal_pct: f64,
    /// Share of the elapsed CPU time left idle (including waiting for I/O), in percent.
    pub idle_pct: f64,
}

impl CpuSample {
    /// The current counters, if the kernel reports them.
    pub fn now() -> Option<Self> {
        Self::parse(&std::fs::read_to_string("/proc/stat").ok()?)
    }

    fn parse(stat: &str) -> Option<Self> {
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let v: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        // user nice system idle iowait irq softirq steal [guest guest_nice, included in user]
        let at = |i: usize| v.get(i).copied().unwrap_or(0);
        Some(Self {
            busy: at(0) + at(1) + at(2) + at(5) + at(6),
            idle: at(3) + at(4),
            steal: at(7),
        })
    }

    /// What happened since `self`, read now.
    pub fn elapsed(&self) -> Option<CpuUse> {
        Some(self.until(&Self::now()?))
    }

    fn until(&self, later: &Self) -> CpuUse {
        let busy = later.busy.saturating_sub(self.busy) as f64;
        let idle = later.idle.saturating_sub(self.idle) as f64;
        let steal = later.steal.saturating_sub(self.steal) as f64;
        let total = (busy + idle + steal).max(1.0);
        CpuUse {
            busy_seconds: busy / TICKS_PER_SECOND,
            steal_pct: 100.0 * steal / total,
            idle_pct: 100.0 * idle / total,
        }
    }
}

/// `USER_HZ`, the unit of `/proc/stat`: 100 on every Linux architecture we build for.
const TICKS_PER_SECOND: f64 = 100.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_busy_idle_and_steal_between_samples() {
        let before =
            CpuSample::parse("cpu  100 0 50 1000 10 5 5 20 0 0\ncpu0 1 2 3\n").expect("a cpu line");
        let after = CpuSample::parse("cpu  300 0 150 1100 10 5 5 120 0 0\n").expect("a cpu line");
        let used = before.until(&after);
        // 300 jiffies busy, 100 idle, 100 stolen
        assert_eq!(used.busy_seconds, 3.0);
        assert_eq!(used.steal_pct, 20.0);
        assert_eq!(used.idle_pct, 20.0);
    }

    #[test]
    fn refuses_a_stat_without_the_cpu_line() {
        assert!(CpuSample::parse("intr 1 2 3\n").is_none());
    }
}
