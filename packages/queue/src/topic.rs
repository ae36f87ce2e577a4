use std::fmt;

use crate::QueueError;

/// A topic a message is published on: dot-separated words of `[a-z0-9_-]`, e.g.
/// `provider.items_changed`. It is the routing key on RabbitMQ's topic exchange.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Topic(String);

impl Topic {
    pub fn parse(raw: &str) -> Result<Self, QueueError> {
        check_words(raw, false)?;
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A subscription pattern with AMQP topic-exchange semantics: `*` matches exactly one word, `#`
/// matches zero or more words (`provider.*`, `mp.#`, `#`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopicPattern(String);

impl TopicPattern {
    pub fn parse(raw: &str) -> Result<Self, QueueError> {
        check_words(raw, true)?;
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `topic` is routed to this pattern (the same rule RabbitMQ applies).
    pub fn matches(&self, topic: &Topic) -> bool {
        let pattern: Vec<&str> = self.0.split('.').collect();
        let words: Vec<&str> = topic.0.split('.').collect();
        matches_words(&pattern, &words)
    }
}

impl fmt::Display for TopicPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn matches_words(pattern: &[&str], words: &[&str]) -> bool {
    match pattern.split_first() {
        None => words.is_empty(),
        Some((&"#", rest)) => (0..=words.len()).any(|skip| matches_words(rest, &words[skip..])),
        Some((&"*", rest)) => !words.is_empty() && matches_words(rest, &words[1..]),
        Some((word, rest)) => words.first() == Some(word) && matches_words(rest, &words[1..]),
    }
}

fn check_words(raw: &str, wildcards: bool) -> Result<(), QueueError> {
    let invalid = |reason: &str| QueueError::InvalidTopic {
        topic: raw.to_owned(),
        reason: reason.to_owned(),
    };
    if raw.is_empty() {
        return Err(invalid("empty"));
    }
    if raw.len() > 255 {
        return Err(invalid("longer than 255 bytes"));
    }
    for word in raw.split('.') {
        if wildcards && (word == "*" || word == "#") {
            continue;
        }
        if word.is_empty() {
            return Err(invalid("empty word between dots"));
        }
        if !word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err(invalid("words are [a-z0-9_-]"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, topic: &str) -> bool {
        TopicPattern::parse(pattern)
            .expect("pattern")
            .matches(&Topic::parse(topic).expect("topic"))
    }

    #[test]
    fn amqp_topic_semantics() {
        assert!(m("#", "a.b.c"));
        assert!(m("a.#", "a"));
        assert!(m("a.#", "a.b.c"));
        assert!(m("a.*", "a.b"));
        assert!(!m("a.*", "a.b.c"));
        assert!(!m("a.*", "a"));
        assert!(m("*.b.#", "a.b"));
        assert!(m("a.#.c", "a.c"));
        assert!(m("a.#.c", "a.x.y.c"));
        assert!(!m("a.b", "a.c"));
    }

    #[test]
    fn bad_topics_are_refused() {
        assert!(Topic::parse("").is_err());
        assert!(Topic::parse("a..b").is_err());
        assert!(Topic::parse("A.b").is_err());
        assert!(Topic::parse("a.*").is_err());
        assert!(TopicPattern::parse("a.*").is_ok());
    }
}
