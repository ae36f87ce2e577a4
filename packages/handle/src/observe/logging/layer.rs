//! [`StructuredLayer`]: turns every event into a [`Record`] once and writes it as one JSON line
//! and/or hands it to the Fluent output. Span fields are kept in the span's extensions as they
//! are recorded, so an event carries the fields of all its enclosing spans.

use std::borrow::Cow;
use std::io::Write;
use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use tracing::span::{Attributes, Id, Record as SpanValues};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::record::{FieldVisitor, Record, level_name};
use crate::observe::fluent::FluentSender;

/// Events of the Fluent output itself are not sent to it (a failing receiver would otherwise
/// feed on its own warnings).
const FLUENT_TARGET: &str = "carpetti_handle::observe::fluent";

/// The fields recorded on one span so far.
struct SpanFields(Record);

/// Writes structured events: JSON lines to a writer, and/or Fluent Forward messages.
pub(crate) struct StructuredLayer {
    json: Option<BoxMakeWriter>,
    fluent: Option<FluentSender>,
}

impl StructuredLayer {
    pub(crate) fn new(json: Option<BoxMakeWriter>, fluent: Option<FluentSender>) -> Self {
        StructuredLayer { json, fluent }
    }

    fn record_of<S>(&self, time: SystemTime, event: &Event<'_>, ctx: &Context<'_, S>) -> Record
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let meta = event.metadata();
        let mut own = Record::with_capacity(8);
        let mut visitor = FieldVisitor::new(&mut own);
        event.record(&mut visitor);
        let message = visitor.message.take();

        let mut record = Record::with_capacity(24);
        let timestamp = DateTime::<Utc>::from(time).to_rfc3339_opts(SecondsFormat::Micros, true);
        record.set(Cow::Borrowed("timestamp"), Value::String(timestamp));
        record.set(
            Cow::Borrowed("level"),
            Value::from(level_name(meta.level())),
        );
        record.set(Cow::Borrowed("target"), Value::from(meta.target()));
        if let Some(message) = message {
            record.set(Cow::Borrowed("message"), Value::String(message));
        }
        if let Some(scope) = ctx.event_scope(event) {
            let mut leaf = None;
            for span in scope.from_root() {
                if let Some(SpanFields(fields)) = span.extensions().get::<SpanFields>() {
                    record.extend_from(fields);
                }
                leaf = Some(span.name());
            }
            if let Some(name) = leaf {
                record.set(Cow::Borrowed("span"), Value::from(name));
            }
        }
        record.extend_from(&own);
        record
    }
}

impl<S> Layer<S> for StructuredLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut fields = Record::default();
        let mut visitor = FieldVisitor::new(&mut fields);
        attrs.record(&mut visitor);
        if let Some(message) = visitor.message.take() {
            fields.set_field("message", Value::String(message));
        }
        span.extensions_mut().replace(SpanFields(fields));
    }

    fn on_record(&self, id: &Id, values: &SpanValues<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        if let Some(SpanFields(fields)) = extensions.get_mut::<SpanFields>() {
            values.record(&mut FieldVisitor::new(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let time = SystemTime::now();
        let record = self.record_of(time, event, &ctx);
        if let Some(make_writer) = &self.json {
            let mut line = Vec::with_capacity(512);
            if serde_json::to_writer(&mut line, &record).is_ok() {
                line.push(b'\n');
                // A log line that cannot be written (closed stdout) has nowhere else to go.
                let _ = make_writer.make_writer().write_all(&line);
            }
        }
        if let Some(fluent) = &self.fluent
            && !event.metadata().target().starts_with(FLUENT_TARGET)
        {
            fluent.send(time, &record);
        }
    }
}
