//! The WebSocket protocol, version [`PROTOCOL_VERSION`]: JSON text frames with a `type` field.
//! Documented for client authors in the crate's README.
//!
//! Client → server: [`ClientMessage`] (`subscribe`, `unsubscribe`). Server → client:
//! [`ServerMessage`] (`hello`, `schema`, `cursor`, `unsubscribed`, `error`). Server messages are
//! serialized once per change and shared by every subscriber ([`Frame`]).

use axum::extract::ws::Utf8Bytes;
use serde::{Deserialize, Serialize};

use crate::cursor::Cursor;

/// The protocol version announced in `hello`. A change that breaks clients bumps it.
pub const PROTOCOL_VERSION: u32 = 1;

/// The WebSocket subprotocol a client may ask for (`Sec-WebSocket-Protocol`).
pub const SUBPROTOCOL: &str = "carpetti.process.v1";

/// A pre-serialized server message: cloning shares the bytes.
pub type Frame = Utf8Bytes;

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum ClientMessage {
    /// Follow a process by its business key.
    #[serde(rename_all = "camelCase")]
    Subscribe { business_key: String },
    /// Stop following it.
    #[serde(rename_all = "camelCase")]
    Unsubscribe { business_key: String },
}

/// Why a client request (or a channel) failed; the `code` of an `error` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No process instance, running or ended, has this business key (yet: the adapter keeps
    /// looking and sends the schema if one starts).
    UnknownBusinessKey,
    /// The engine did not answer; the adapter keeps trying and the stream resumes by itself.
    EngineUnavailable,
    /// The message could not be understood.
    BadRequest,
    /// The socket already follows as many channels as allowed.
    TooManySubscriptions,
}

/// What the server sends.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ServerMessage<'a> {
    /// First message on every connection.
    #[serde(rename_all = "camelCase")]
    Hello {
        protocol: u32,
        server: &'a str,
        ping_secs: u64,
    },
    /// The process's BPMN XML: first after `subscribe`, again when the instance moves to another
    /// definition version.
    #[serde(rename_all = "camelCase")]
    Schema {
        business_key: &'a str,
        process_instance_id: &'a str,
        definition_id: &'a str,
        xml: &'a str,
    },
    /// Where the process is now.
    #[serde(rename_all = "camelCase")]
    Cursor {
        business_key: &'a str,
        process_instance_id: &'a str,
        definition_id: &'a str,
        seq: u64,
        #[serde(flatten)]
        cursor: &'a Cursor,
        /// When the poll that saw this state ended, milliseconds since the Unix epoch.
        observed_at: i64,
    },
    /// Confirms an `unsubscribe`.
    #[serde(rename_all = "camelCase")]
    Unsubscribed { business_key: &'a str },
    /// A failure, for one channel (`businessKey`) or for the request; the socket stays open.
    #[serde(rename_all = "camelCase")]
    Error {
        #[serde(skip_serializing_if = "Option::is_none")]
        business_key: Option<&'a str>,
        code: ErrorCode,
        message: &'a str,
    },
}

impl ServerMessage<'_> {
    /// The message as a shareable text frame.
    pub fn frame(&self) -> Frame {
        // Serializing these plain structs cannot fail (string keys, no maps of non-strings).
        Utf8Bytes::from(serde_json::to_string(self).unwrap_or_default())
    }
}

/// Parses a client's text frame.
pub fn parse_client(text: &str) -> Result<ClientMessage, String> {
    serde_json::from_str(text).map_err(|e| format!("not a protocol message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_parse_and_bad_ones_are_refused() {
        assert_eq!(
            parse_client(r#"{"type":"subscribe","businessKey":"k1"}"#),
            Ok(ClientMessage::Subscribe {
                business_key: "k1".into()
            })
        );
        assert_eq!(
            parse_client(r#"{"type":"unsubscribe","businessKey":"k1"}"#),
            Ok(ClientMessage::Unsubscribe {
                business_key: "k1".into()
            })
        );
        assert!(parse_client(r#"{"type":"dance"}"#).is_err());
        assert!(parse_client(r#"{"type":"subscribe"}"#).is_err());
        assert!(parse_client("not json").is_err());
    }

    #[test]
    fn error_frames_name_the_code() {
        let frame = ServerMessage::Error {
            business_key: Some("k"),
            code: ErrorCode::UnknownBusinessKey,
            message: "unknown business key 'k'",
        }
        .frame();
        let value: serde_json::Value =
            serde_json::from_str(frame.as_str()).expect("valid in this test");
        assert_eq!(value["type"], "error");
        assert_eq!(value["code"], "unknown_business_key");
        assert_eq!(value["businessKey"], "k");
    }
}
