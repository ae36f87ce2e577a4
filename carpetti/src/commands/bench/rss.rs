//! Peak resident memory of this process (Linux `/proc`), resettable between passes, and a short
//! description of the machine for the benchmark record.

/// Resets the peak RSS counter (`VmHWM`) to the current RSS, so the next reading is the peak of
/// what follows. Best effort: on kernels without `clear_refs` the peak stays cumulative.
pub fn reset_peak() {
    reset_peak_of("self");
}

/// [`reset_peak`] of another process of ours (`/proc/<pid>`).
pub fn reset_peak_of(process: &str) {
    let _ = std::fs::write(format!("/proc/{process}/clear_refs"), "5");
}

/// Peak RSS in MiB since start or the last [`reset_peak`], if the kernel reports it.
pub fn peak_mib() -> Option<f64> {
    peak_mib_of("self")
}

/// [`peak_mib`] of another process of ours (`/proc/<pid>`).
pub fn peak_mib_of(process: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// "CPU model, N cores, M GiB RAM".
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    format!("{cpu}, {cores} cores, {mem_gib:.0} GiB RAM")
}

/// CPU time (user + system) this process has used, in seconds (Linux `/proc/self/stat`; 0 when
/// unreadable).
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
        .sum();
    // The kernel's USER_HZ is 100 on Linux.
    ticks / 100.0
}
