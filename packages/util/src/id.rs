//! Entity ids: UUIDv7, time-ordered so that inserts append to the primary-key index.

use uuid::Uuid;

/// A new time-ordered (version 7) UUID for an entity.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_ordered() {
        let a = new_id();
        let b = new_id();
        assert_eq!(a.get_version_num(), 7);
        assert!(a < b, "UUIDv7 ids increase");
    }
}
