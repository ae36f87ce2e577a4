//! The state machine over the XML events: where in the document the reader is (before the root,
//! in the header, in an offer, in one of its fields), what the collected text goes to, recovery
//! from broken markup inside an offer (the offer is rejected, the stream goes on), and the limits.

use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::events::{BytesStart, Event};

use crate::read::header::{self, HeaderTarget};
use crate::read::input::Here;
use crate::read::offer::{OfferBuilder, OfferField};
use crate::read::stack::Stack;
use crate::read::text::{clean, for_each_attribute, push_reference};
use crate::read::{Item, Limits};
use crate::{FeedError, Shop};

/// What one event led to.
pub(crate) enum Step {
    Continue,
    /// An item is ready in [`Document::ready`].
    Ready,
    /// The parser stopped on an undecodable event inside an offer: start a new one after it.
    Rebuild,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    BeforeRoot,
    InRoot,
    Done,
}

/// Where the text being collected goes.
enum Target {
    None,
    Header(HeaderTarget),
    Offer(OfferField),
}

pub(crate) struct Document {
    limits: Limits,
    pub(crate) shop: Shop,
    /// The item the last [`Step::Ready`] announced (kept here: an offer is large, moves cost).
    pub(crate) ready: Option<Item>,
    /// The input's encoding (for messages).
    pub(crate) encoding: &'static str,
    phase: Phase,
    stack: Stack,
    offer: Option<OfferBuilder>,
    target: Target,
    /// Stack level of the element the target's text comes from.
    target_level: usize,
    text: String,
    /// Inside an offer's `<description>`: nested elements are HTML and kept as text.
    html: bool,
}

impl Document {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            shop: Shop::default(),
            ready: None,
            encoding: "UTF-8",
            phase: Phase::BeforeRoot,
            stack: Stack::default(),
            offer: None,
            target: Target::None,
            target_level: 0,
            text: String::new(),
            html: false,
        }
    }

    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    pub(crate) fn finished(&self) -> bool {
        self.phase == Phase::Done
    }

    /// After a [`FeedError`] the reader yields nothing more.
    pub(crate) fn fail(&mut self) {
        self.phase = Phase::Done;
    }

    pub(crate) fn on_event(
        &mut self,
        event: Event<'_>,
        input: &Here<'_>,
    ) -> Result<Step, FeedError> {
        if let Some(offer) = &self.offer
            && input.offset() - offer.start > self.limits.max_offer_bytes as u64
        {
            return Err(FeedError::TooLarge {
                position: offer.offer.position,
                what: "an offer",
                limit: self.limits.max_offer_bytes,
            });
        }
        match event {
            Event::Start(e) => self.on_start(&e, false, input),
            Event::Empty(e) => self.on_start(&e, true, input),
            Event::End(e) => self.on_end(e.name().into_inner(), input),
            Event::Text(t) => self.collect(&t, input),
            Event::CData(c) => self.collect(&c, input),
            Event::GeneralRef(r) if self.collecting() => {
                self.check_text_size(r.len() + 2, input)?;
                push_reference(&mut self.text, &r);
                Ok(Step::Continue)
            }
            Event::Eof => Err(match self.phase {
                Phase::BeforeRoot => FeedError::NotYmlCatalog {
                    position: input.position(),
                    found: "no root element".to_owned(),
                },
                _ => FeedError::Truncated {
                    position: input.position(),
                    open: self.stack.top().unwrap_or("yml_catalog").to_owned(),
                },
            }),
            // XML declaration, processing instructions, comments; the DOCTYPE is skipped: no DTD
            // is ever fetched or processed, so it declares nothing.
            _ => Ok(Step::Continue),
        }
    }

    pub(crate) fn on_error(
        &mut self,
        error: XmlError,
        input: &Here<'_>,
    ) -> Result<Step, FeedError> {
        let position = input.mark_position();
        let recoverable = matches!(error, XmlError::IllFormed(_));
        let message = match error {
            XmlError::Io(e) => {
                let source = std::sync::Arc::try_unwrap(e)
                    .unwrap_or_else(|e| std::io::Error::new(e.kind(), e.to_string()));
                return Err(FeedError::Io { position, source });
            }
            XmlError::IllFormed(IllFormedError::MissingDoctypeName) => return Ok(Step::Continue),
            XmlError::Encoding(e) => {
                let message = format!("bytes that are not valid {} ({e})", self.encoding);
                let Some(offer) = &mut self.offer else {
                    return Err(FeedError::Encoding { position, message });
                };
                offer.reject(format!(
                    "{message} at line {}, column {}",
                    position.line, position.column
                ));
                return Ok(Step::Rebuild);
            }
            XmlError::Syntax(SyntaxError::InvalidBangMarkup) => error.to_string(),
            XmlError::Syntax(_) if self.phase == Phase::InRoot => {
                let open = self.stack.top().unwrap_or("yml_catalog").to_owned();
                return Err(FeedError::Truncated { position, open });
            }
            other => other.to_string(),
        };
        let Some(offer) = &mut self.offer else {
            return Err(FeedError::Malformed { position, message });
        };
        offer.reject(format!(
            "malformed XML at line {}, column {}: {message}",
            position.line, position.column
        ));
        Ok(if recoverable {
            Step::Continue
        } else {
            Step::Rebuild
        })
    }

    /// Whether text now goes somewhere (else whitespace may be skipped unseen).
    pub(crate) fn collecting(&self) -> bool {
        !matches!(self.target, Target::None)
    }

    fn check_text_size(&self, more: usize, input: &Here<'_>) -> Result<(), FeedError> {
        if self.text.len() + more <= self.limits.max_text_bytes {
            return Ok(());
        }
        Err(FeedError::TooLarge {
            position: input.mark_position(),
            what: "the text of one element",
            limit: self.limits.max_text_bytes,
        })
    }

    fn collect(&mut self, text: &str, input: &Here<'_>) -> Result<Step, FeedError> {
        if self.collecting() {
            self.check_text_size(text.len(), input)?;
            self.text.push_str(text);
        }
        Ok(Step::Continue)
    }

    fn on_start(
        &mut self,
        e: &BytesStart<'_>,
        empty: bool,
        input: &Here<'_>,
    ) -> Result<Step, FeedError> {
        let name = e.name().into_inner();
        if self.html {
            self.check_text_size(e.len() + 3, input)?;
            self.text.push('<');
            self.text.push_str(e);
            self.text.push_str(if empty { "/>" } else { ">" });
            return Ok(Step::Continue);
        }
        match self.phase {
            Phase::Done => return Ok(Step::Continue),
            Phase::BeforeRoot if name != "yml_catalog" => {
                let found = format!("the root element is <{name}>");
                return Err(FeedError::NotYmlCatalog {
                    position: input.mark_position(),
                    found,
                });
            }
            Phase::BeforeRoot => {
                self.phase = Phase::InRoot;
                for_each_attribute(e, true, |key, value| {
                    if key == "date" && !value.is_empty() {
                        self.shop.date = Some(value.to_owned());
                    }
                })
                .map_err(|message| malformed(input, message))?;
            }
            Phase::InRoot => {}
        }
        if self.stack.len() >= self.limits.max_depth {
            let limit = self.limits.max_depth;
            return Err(FeedError::TooDeep {
                position: input.mark_position(),
                limit,
            });
        }
        self.stack.push(name);
        let level = self.stack.len();
        if self.offer.is_some() {
            self.offer_start(e, level, empty, input);
        } else if level > 1 {
            self.header_start(e, level, input)?;
        }
        if empty {
            return self.on_end(name, input);
        }
        Ok(Step::Continue)
    }

    /// An element starts inside an offer.
    fn offer_start(&mut self, e: &BytesStart<'_>, level: usize, empty: bool, input: &Here<'_>) {
        let Some(offer) = self.offer.as_mut() else {
            return;
        };
        let check = !input.clean_since(offer.start);
        let parent = self.stack.at(level - 1);
        if let Some(field) = offer.child_start(e, level, parent, check) {
            self.html = matches!(field, OfferField::Description) && !empty;
            self.target = Target::Offer(field);
            self.target_level = level;
            self.text.clear();
        }
    }

    /// An element starts outside the offers.
    fn header_start(
        &mut self,
        e: &BytesStart<'_>,
        level: usize,
        input: &Here<'_>,
    ) -> Result<(), FeedError> {
        let parent = self.stack.at(level - 1);
        if parent == Some("offers") && e.name().into_inner() == "offer" {
            let mut offer = OfferBuilder::new(input.mark_position(), level, input.mark_offset());
            let check = !input.clean_since(input.mark_offset());
            if let Err(message) =
                for_each_attribute(e, check, |key, value| offer.attribute(key, value))
            {
                offer.reject(message);
            }
            self.offer = Some(offer);
            return Ok(());
        }
        let target = header::start(&mut self.shop, parent, e).map_err(|m| malformed(input, m))?;
        if let Some(target) = target {
            self.target = Target::Header(target);
            self.target_level = level;
            self.text.clear();
        }
        Ok(())
    }

    fn on_end(&mut self, name: &str, input: &Here<'_>) -> Result<Step, FeedError> {
        if self.html {
            if name != "description" && self.stack.find(name).is_none() {
                self.check_text_size(name.len() + 3, input)?;
                self.text.push_str("</");
                self.text.push_str(name);
                self.text.push('>');
                return Ok(Step::Continue);
            }
            self.html = false;
        }
        if self.phase != Phase::InRoot {
            let message = format!("end tag </{name}> outside the root element");
            return Err(malformed(input, message));
        }
        let Some(level) = self.stack.find(name) else {
            let message = format!("end tag </{name}> matches no open element");
            return match &mut self.offer {
                Some(offer) => {
                    offer.reject(message);
                    Ok(Step::Continue)
                }
                None => Err(malformed(input, message)),
            };
        };
        let mut ready = false;
        if level < self.stack.len() {
            let unclosed = self.stack.top().unwrap_or_default();
            let Some(offer) = self.offer.as_mut() else {
                let message = format!("expected </{unclosed}>, found </{name}>");
                return Err(malformed(input, message));
            };
            offer.reject(format!("<{unclosed}> is not closed before </{name}>"));
            if level < offer.level {
                ready = self.finish_offer();
            }
            if self.target_level > level {
                self.target = Target::None;
            }
            self.stack.truncate(level);
        }
        if self.target_level == level && self.collecting() {
            self.finish_target(input)?;
        }
        if self
            .offer
            .as_ref()
            .is_some_and(|offer| offer.level == level)
        {
            ready = self.finish_offer();
        }
        if level == 1 {
            self.phase = Phase::Done;
        }
        self.stack.pop();
        Ok(if ready { Step::Ready } else { Step::Continue })
    }

    /// The open offer is complete: its item goes to [`Self::ready`].
    fn finish_offer(&mut self) -> bool {
        match self.offer.take() {
            Some(offer) => {
                self.ready = Some(offer.finish());
                true
            }
            None => false,
        }
    }

    /// The element the collected text belongs to has ended.
    fn finish_target(&mut self, input: &Here<'_>) -> Result<(), FeedError> {
        let text = clean(&self.text);
        match std::mem::replace(&mut self.target, Target::None) {
            Target::Offer(field) => {
                if let Some(offer) = self.offer.as_mut() {
                    let check = !input.clean_since(offer.start);
                    offer.set(field, &text, check);
                }
            }
            Target::Header(target) => {
                header::finish(&mut self.shop, target, &text).map_err(|m| malformed(input, m))?;
            }
            Target::None => {}
        }
        Ok(())
    }
}

fn malformed(input: &Here<'_>, message: String) -> FeedError {
    FeedError::Malformed {
        position: input.mark_position(),
        message,
    }
}
