//! The Fluent Forward protocol v1, client side
//! (<https://github.com/fluent/fluentd/wiki/Forward-Protocol-Specification-v1>): entries
//! `[time, record]` with time as EventTime (msgpack ext type 0: big-endian u32 seconds, u32
//! nanoseconds) or integer seconds; Forward-mode messages `[tag, [entry, …], option]` whose
//! option carries `size` and, when acks are wanted, a `chunk` id the server answers with
//! `{"ack": chunk}`.

use std::time::{SystemTime, UNIX_EPOCH};

use rmp::encode::ValueWriteError;
use serde::{Deserialize, Serialize};

/// The msgpack extension type of EventTime.
const EVENT_TIME_EXT: i8 = 0;

/// A message could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// msgpack framing failed.
    #[error("msgpack framing: {0}")]
    Frame(#[from] ValueWriteError<std::io::Error>),
    /// A record could not be serialized.
    #[error("msgpack record: {0}")]
    Record(#[from] rmp_serde::encode::Error),
    /// More entries than a msgpack array holds.
    #[error("too many entries in one message")]
    TooLarge,
}

/// Encodes one entry `[time, record]`.
pub fn encode_entry<R: Serialize + ?Sized>(
    time: SystemTime,
    record: &R,
    event_time: bool,
) -> Result<Vec<u8>, EncodeError> {
    let mut buf = Vec::with_capacity(256);
    rmp::encode::write_array_len(&mut buf, 2)?;
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    // EventTime holds seconds as u32 (good until 2106); a later clock saturates.
    let seconds = u32::try_from(since_epoch.as_secs()).unwrap_or(u32::MAX);
    if event_time {
        rmp::encode::write_ext_meta(&mut buf, 8, EVENT_TIME_EXT)?;
        buf.extend_from_slice(&seconds.to_be_bytes());
        buf.extend_from_slice(&since_epoch.subsec_nanos().to_be_bytes());
    } else {
        rmp::encode::write_uint(&mut buf, u64::from(seconds))?;
    }
    rmp_serde::encode::write(&mut buf, record)?;
    Ok(buf)
}

/// Encodes a Forward-mode message from encoded entries; `chunk` asks the server for an ack.
pub fn encode_forward<E: AsRef<[u8]>>(
    tag: &str,
    entries: &[E],
    chunk: Option<&str>,
) -> Result<Vec<u8>, EncodeError> {
    let count = u32::try_from(entries.len()).map_err(|_| EncodeError::TooLarge)?;
    let body: usize = entries.iter().map(|e| e.as_ref().len()).sum();
    let mut buf = Vec::with_capacity(body + tag.len() + 64);
    rmp::encode::write_array_len(&mut buf, 3)?;
    rmp::encode::write_str(&mut buf, tag)?;
    rmp::encode::write_array_len(&mut buf, count)?;
    for entry in entries {
        buf.extend_from_slice(entry.as_ref());
    }
    rmp::encode::write_map_len(&mut buf, if chunk.is_some() { 2 } else { 1 })?;
    rmp::encode::write_str(&mut buf, "size")?;
    rmp::encode::write_uint(&mut buf, u64::from(count))?;
    if let Some(chunk) = chunk {
        rmp::encode::write_str(&mut buf, "chunk")?;
        rmp::encode::write_str(&mut buf, chunk)?;
    }
    Ok(buf)
}

/// The server's answer to a message sent with a `chunk` option.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Ack {
    /// The chunk id acknowledged.
    pub ack: String,
}

/// Decodes an ack from the bytes read so far: `Ok(None)` while they are incomplete.
pub fn decode_ack(bytes: &[u8]) -> Result<Option<Ack>, rmp_serde::decode::Error> {
    match rmp_serde::from_slice::<Ack>(bytes) {
        Ok(ack) => Ok(Some(ack)),
        Err(error) if is_incomplete(&error) => Ok(None),
        Err(error) => Err(error),
    }
}

fn is_incomplete(error: &rmp_serde::decode::Error) -> bool {
    use rmp_serde::decode::Error;
    match error {
        Error::InvalidMarkerRead(io) | Error::InvalidDataRead(io) => {
            io.kind() == std::io::ErrorKind::UnexpectedEof
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn entry_with_event_time_is_fixext8_type_0() -> Result<(), EncodeError> {
        let time = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        let bytes = encode_entry(time, &serde_json::json!({"a": 1}), true)?;
        assert_eq!(bytes[0], 0x92, "fixarray of 2");
        assert_eq!(&bytes[1..3], &[0xd7, 0x00], "fixext 8, type 0");
        assert_eq!(&bytes[3..7], &1_700_000_000u32.to_be_bytes());
        assert_eq!(&bytes[7..11], &123_456_789u32.to_be_bytes());
        assert_eq!(&bytes[11..], &[0x81, 0xa1, b'a', 0x01]);
        let plain = encode_entry(time, &serde_json::json!({}), false)?;
        assert_eq!(&plain[..6], &[0x92, 0xce, 0x65, 0x53, 0xf1, 0x00]);
        Ok(())
    }

    #[test]
    fn ack_decoding_waits_for_complete_input() -> Result<(), Box<dyn std::error::Error>> {
        let full = rmp_serde::to_vec_named(&Ack { ack: "c1".into() })?;
        assert_eq!(decode_ack(&full[..full.len() - 1])?, None);
        assert_eq!(decode_ack(&full)?, Some(Ack { ack: "c1".into() }));
        assert!(
            decode_ack(&[0xc1]).is_err(),
            "0xc1 is never used in msgpack"
        );
        Ok(())
    }
}
