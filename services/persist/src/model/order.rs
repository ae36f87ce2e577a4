//! Customers and the orders they place through channels: order lines, the status, and the status
//! history the store appends on every status change.

use carpetti_util::{Currency, Money, ParseError, Quantity};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::text_enum;
use crate::StoreError;

text_enum!(
    /// Where an order is in its life.
    OrderStatus {
        New => "new",
        Confirmed => "confirmed",
        Packed => "packed",
        Shipped => "shipped",
        Delivered => "delivered",
        Cancelled => "cancelled",
        Returned => "returned",
    }
);

/// A normalized e-mail address: trimmed and lower-cased, so that equality is the right comparison.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses an address: trimmed, lower-cased, one `@` with text on both sides, no whitespace.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let email = raw.trim().to_lowercase();
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty() && !domain.is_empty() && !domain.contains('@')
            }
            None => false,
        };
        if !valid || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ParseError(format!("{raw:?} is not an e-mail address")));
        }
        Ok(Self(email))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A normalized phone number: `+` and its digits ("+7 (912) 345-67-89" → "+79123456789").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Parses a phone number: digits with the usual separators (space, `-`, `.`, `(`, `)`) and
    /// an optional leading `+`; 5 to 15 digits (E.164 allows at most 15). Numbers are not
    /// rewritten beyond that (a domestic "8 912…" stays "+8912…").
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let trimmed = raw.trim();
        let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
        let mut digits = String::with_capacity(body.len() + 1);
        digits.push('+');
        for c in body.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
                _ => return Err(ParseError(format!("{raw:?} is not a phone number"))),
            }
        }
        let count = digits.len() - 1;
        if !(5..=15).contains(&count) {
            return Err(ParseError(format!(
                "{raw:?} must have 5 to 15 digits, has {count}"
            )));
        }
        Ok(Self(digits))
    }

    /// The number, "+" and digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person who buys from us. No business key; `email` and `phone` are each unique when set.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    /// Staff note.
    pub note: Option<String>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    /// The line's id: set by the store, ignored on input (lines are rewritten on every write).
    pub id: Option<Uuid>,
    /// Unique within the order, ≥ 1; 0 on input on every line = "number them 1..n in order".
    pub line_no: u32,
    /// Our product, when matched.
    pub product_id: Option<Uuid>,
    /// Our SKU, as a snapshot.
    pub sku: Option<String>,
    /// The channel's SKU.
    pub external_sku: Option<String>,
    /// Item name as ordered.
    pub name: String,
    pub quantity: Quantity,
    /// Price per unit in the order's currency.
    pub price: Money,
}

/// One entry of an order's status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status the order changed to.
    pub status: OrderStatus,
    pub changed_at: DateTime<Utc>,
    /// Who or what changed it ("api", "ozon", "crm:LOGIN", …).
    pub source: String,
    pub note: Option<String>,
}

/// Who makes a write that may change an order's status: recorded in the history entry it appends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusAuthor {
    /// The history entry's `source`.
    pub source: String,
    /// The history entry's `note`.
    pub note: Option<String>,
}

impl Default for StatusAuthor {
    /// "api", no note.
    fn default() -> Self {
        Self {
            source: "api".to_owned(),
            note: None,
        }
    }
}

/// An order from a channel. Business key: (`channel_id`, `external_id`).
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub channel_id: Uuid,
    /// The channel's order number.
    pub external_id: String,
    pub customer_id: Option<Uuid>,
    pub status: OrderStatus,
    pub total: Money,
    pub currency: Currency,
    pub placed_at: DateTime<Utc>,
    /// Shipping address as the channel gave it (a JSON object).
    pub shipping_address: serde_json::Value,
    /// The lines; a write replaces the whole set.
    pub lines: Vec<OrderLine>,
    /// Status history, oldest first. Read-only: ignored on input, appended by the store.
    pub history: Vec<StatusChange>,
}

/// Numbers the lines of an order: when every `line_no` is 0 they become 1..n in order; otherwise
/// every line needs its own number. Errors name `lines[i].line_no`.
pub fn number_lines(lines: &mut [OrderLine]) -> Result<(), StoreError> {
    if lines.iter().all(|l| l.line_no == 0) {
        for (i, line) in lines.iter_mut().enumerate() {
            line.line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
        return Ok(());
    }
    let mut seen = std::collections::HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        let field = format!("lines[{i}].line_no");
        if line.line_no == 0 {
            return Err(StoreError::invalid(
                field,
                "number every line (≥ 1) or none",
            ));
        }
        if !seen.insert(line.line_no) {
            return Err(StoreError::invalid(
                field,
                format!("line {} appears twice", line.line_no),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(no: u32) -> OrderLine {
        OrderLine {
            id: None,
            line_no: no,
            product_id: None,
            sku: None,
            external_sku: None,
            name: "x".into(),
            quantity: Quantity::ONE,
            price: Money::ZERO,
        }
    }

    #[test]
    fn phones_and_emails_normalize() {
        assert_eq!(
            Phone::parse("+7 (912) 345-67-89").map(|p| p.0),
            Ok("+79123456789".into())
        );
        assert_eq!(
            Phone::parse("79123456789").map(|p| p.0),
            Ok("+79123456789".into())
        );
        assert!(Phone::parse("call me").is_err());
        assert!(Phone::parse("+7 12").is_err());
        assert!(Phone::parse("++79123456789").is_err());
        assert_eq!(
            Email::parse("  Anna@Example.COM ").map(|e| e.0),
            Ok("anna@example.com".into())
        );
        assert!(Email::parse("anna").is_err());
        assert!(Email::parse("a b@c.d").is_err());
        assert!(Email::parse("@c.d").is_err());
    }

    #[test]
    fn lines_are_numbered_or_checked() {
        let mut auto = vec![line(0), line(0), line(0)];
        number_lines(&mut auto).expect("all zero");
        assert_eq!(
            auto.iter().map(|l| l.line_no).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        let mut given = vec![line(5), line(2)];
        number_lines(&mut given).expect("distinct");
        assert_eq!(given[0].line_no, 5);
        let mut dup = vec![line(1), line(1)];
        let err = number_lines(&mut dup).expect_err("duplicate");
        assert!(
            matches!(err, StoreError::InvalidArgument { ref field, .. } if field == "lines[1].line_no")
        );
        let mut mixed = vec![line(1), line(0)];
        assert!(number_lines(&mut mixed).is_err());
    }
}
