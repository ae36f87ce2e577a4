//! The engine's ids: UUIDv7 (time-ordered) in their hyphenated text form, made per thread.
//!
//! An instance makes about twenty ids per run of the benchmark's 5-task process, so their cost
//! shows: `Uuid::now_v7` (a process-wide lock-free context plus 128 bits from a ChaCha generator)
//! took ~560 instructions per id, 13 % of the in-memory engine's work. Here each thread keeps
//! its own millisecond and counter, and the random part comes from fastrand's thread-local
//! generator: the ids stay UUIDv7 (RFC 9562 method 1: a 42-bit counter, randomly seeded each
//! millisecond, then 32 random bits), ordered within a thread — so ids made by one command sort
//! in the order it made them, which `ORDER BY created_at, id` relies on — and unique across
//! threads and processes by their random bits.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

use uuid::{Builder, Uuid};

/// Counter bits (RFC 9562 §6.2 method 1 allows 12 to 42).
const COUNTER_BITS: u32 = 42;
const COUNTER_MAX: u64 = (1 << COUNTER_BITS) - 1;

thread_local! {
    /// The millisecond of this thread's last id and the counter within it.
    static CLOCK: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// The next id of this thread.
pub(crate) fn next_uuid() -> Uuid {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        // Seconds and sub-second millis: `as_millis` divides a u128.
        .map_or(0, |d| d.as_secs() * 1000 + u64::from(d.subsec_millis()));
    CLOCK.with(|clock| {
        let (last, counter) = clock.get();
        let (millis, counter) = if now > last {
            (now, seed())
        } else if counter < COUNTER_MAX {
            // The same millisecond, or the clock went back: stay on the last one, count on.
            (last, counter + 1)
        } else {
            // 2^41 ids in one millisecond: borrow the next one (the rule for counter overflow).
            (last + 1, seed())
        };
        clock.set((millis, counter));
        let mut bytes = [0u8; 10];
        // Counter: 12 bits in rand_a (bytes 0–1), 6 + 24 in rand_b (bytes 2–5); the builder masks
        // the version and variant bits, which these positions leave free.
        let counter_12 = (counter >> 30) as u16;
        bytes[0] = (counter_12 >> 8) as u8;
        bytes[1] = counter_12 as u8;
        bytes[2] = ((counter >> 24) & 0x3F) as u8;
        bytes[3..6].copy_from_slice(&(counter as u32).to_be_bytes()[1..]);
        bytes[6..].copy_from_slice(&fastrand::u32(..).to_be_bytes());
        Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
    })
}

/// A counter's first value in a new millisecond: random, with its top bit clear so that it has
/// room to count.
fn seed() -> u64 {
    fastrand::u64(..) >> (64 - COUNTER_BITS + 1)
}

/// A new id in its hyphenated form, written straight into a string (`to_string` through the
/// formatter cost twice as much).
pub(crate) fn new_id() -> String {
    let mut text = Uuid::encode_buffer();
    next_uuid().hyphenated().encode_lower(&mut text).to_owned()
}

/// A new activity instance id: the activity's id, a colon and a new id (Camunda's form).
pub(crate) fn activity_instance_id(activity: &str) -> String {
    let mut text = Uuid::encode_buffer();
    let id = next_uuid().hyphenated().encode_lower(&mut text);
    let mut out = String::with_capacity(activity.len() + 1 + id.len());
    out.push_str(activity);
    out.push(':');
    out.push_str(id);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_7_and_ordered_within_a_thread() {
        let ids: Vec<Uuid> = (0..100_000).map(|_| next_uuid()).collect();
        for pair in ids.windows(2) {
            assert!(pair[0] < pair[1], "{} !< {}", pair[0], pair[1]);
        }
        for id in &ids {
            assert_eq!(id.get_version_num(), 7);
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
        }
        let (secs, _) = ids[0]
            .get_timestamp()
            .expect("v7 has a timestamp")
            .to_unix();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        assert!(
            now.abs_diff(secs) < 5,
            "timestamp {secs} far from now {now}"
        );
    }

    #[test]
    fn the_counter_is_all_of_rand_a_and_the_top_of_rand_b() {
        CLOCK.with(|c| c.set((u64::MAX - 1, 0x2AB_CDEF_0123)));
        let id = next_uuid();
        let bytes = id.as_bytes();
        // rand_a = counter >> 30; rand_b starts with counter bits 29..0.
        let rand_a = u16::from_be_bytes([bytes[6], bytes[7]]) & 0x0FFF;
        assert_eq!(u64::from(rand_a), 0x2AB_CDEF_0124 >> 30);
        let rand_b_top =
            u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) & 0x3FFF_FFFF;
        assert_eq!(u64::from(rand_b_top), 0x2AB_CDEF_0124 & 0x3FFF_FFFF);
        CLOCK.with(|c| c.set((0, 0)));
    }

    #[test]
    fn threads_do_not_collide() {
        let handles: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| (0..50_000).map(|_| next_uuid()).collect::<Vec<_>>()))
            .collect();
        let mut all: Vec<Uuid> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
