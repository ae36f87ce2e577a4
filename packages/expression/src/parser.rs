//! Source → [`Body`]: splits literal text from `${…}` / `#{…}` expressions and parses each one by
//! precedence climbing. Everything outside the supported grammar is a [`ParseError`] with the
//! position of the offending token, so an engine can refuse a model at deployment.

use serde_json::Value;

use crate::ast::{Accessor, BinaryOp, Body, Node, Part, TIGHTEST_LEVEL, UnaryOp};
use crate::error::ParseError;
use crate::lexer::{Tok, Token, tokenize};

/// The longest accepted source, in chars.
pub const MAX_SOURCE_CHARS: usize = 10_000;

/// The deepest accepted nesting of parentheses, brackets, unary operators and conditionals.
pub const MAX_NESTING: usize = 64;

pub(crate) fn parse_body(source: &str) -> Result<Body, ParseError> {
    if source.len() > MAX_SOURCE_CHARS && source.chars().nth(MAX_SOURCE_CHARS).is_some() {
        return Err(ParseError::new(
            MAX_SOURCE_CHARS,
            format!("source is longer than {MAX_SOURCE_CHARS} characters"),
        ));
    }
    let chars: Vec<char> = source.chars().collect();
    let mut parts = Vec::new();
    let mut text = String::new();
    // The first opening marker (`$` or `#`): JUEL forbids mixing the two in one text.
    let mut marker: Option<char> = None;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let after = chars.get(i + 2).copied();
        if c == '\\' && matches!(next, Some('$' | '#')) && after == Some('{') {
            text.push(next.unwrap_or(c));
            text.push('{');
            i += 3;
        } else if (c == '$' || c == '#') && next == Some('{') {
            match marker {
                Some(m) if m != c => {
                    return Err(ParseError::new(
                        i,
                        "'${…}' and '#{…}' cannot be mixed in one text",
                    ));
                }
                _ => marker = Some(c),
            }
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            let (tokens, end) = tokenize(&chars, i + 2, i)?;
            parts.push(Part::Expr(parse_tokens(&chars, tokens)?));
            i = end;
        } else {
            text.push(c);
            i += 1;
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(match parts.as_slice() {
        [] => Body::Literal(String::new()),
        [Part::Text(t)] => Body::Literal(t.clone()),
        [Part::Expr(node)] => Body::Single(node.clone()),
        _ => Body::Composite(parts),
    })
}

/// Parses the tokens of one expression body (the last token is the closing `}`).
fn parse_tokens(chars: &[char], tokens: Vec<Token>) -> Result<Node, ParseError> {
    let mut parser = Parser {
        chars,
        tokens,
        pos: 0,
        depth: 0,
    };
    let node = parser.expression()?;
    if parser.peek() == &Tok::Close {
        return Ok(node);
    }
    let token = parser.current();
    // `prefix:name(…)`: the parser stopped at the ':' after the prefix identifier
    let prefix = parser.pos.checked_sub(1).map(|i| &parser.tokens[i]);
    if let Some(
        prefix @ Token {
            kind: Tok::Ident(_),
            ..
        },
    ) = prefix
        && token.kind == Tok::Colon
        && matches!(parser.peek_at(1), Tok::Ident(_))
        && parser.peek_at(2) == &Tok::LParen
    {
        let name = format!(
            "{}:{}",
            parser.text(prefix),
            parser.text(parser.token_at(1))
        );
        return Err(ParseError::new(
            prefix.start,
            format!("function calls are not supported: '{name}(…)'"),
        ));
    }
    let message = format!("unexpected '{}'; expected '}}'", parser.text(token));
    Err(ParseError::new(token.start, message))
}

struct Parser<'a> {
    chars: &'a [char],
    /// Never empty: the lexer always ends it with [`Tok::Close`].
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn token_at(&self, ahead: usize) -> &Token {
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[(self.pos + ahead).min(last)]
    }

    fn current(&self) -> &Token {
        self.token_at(0)
    }

    fn peek(&self) -> &Tok {
        &self.current().kind
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.token_at(ahead).kind
    }

    /// Consumes the current token (the closing `}` is never consumed).
    fn advance(&mut self) -> Token {
        let token = self.current().clone();
        if token.kind != Tok::Close {
            self.pos += 1;
        }
        token
    }

    fn text(&self, token: &Token) -> String {
        self.chars[token.start..token.end].iter().collect()
    }

    fn expect(&mut self, kind: &Tok, what: &str) -> Result<(), ParseError> {
        if self.peek() == kind {
            self.advance();
            return Ok(());
        }
        let token = self.current();
        Err(ParseError::new(
            token.start,
            format!("expected {what}, found '{}'", self.text(token)),
        ))
    }

    /// Enters one nesting level opened by the token at `position`.
    fn nest(&mut self, position: usize) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ParseError::new(
                position,
                format!("expression is nested deeper than {MAX_NESTING} levels"),
            ));
        }
        Ok(())
    }

    fn unnest(&mut self) {
        self.depth -= 1;
    }

    /// `or ('?' expression ':' expression)?`
    fn expression(&mut self) -> Result<Node, ParseError> {
        let condition = self.binary(0)?;
        if self.peek() != &Tok::Question {
            return Ok(condition);
        }
        let question = self.advance();
        self.nest(question.start)?;
        let then = self.expression()?;
        self.expect(&Tok::Colon, "':' of the conditional expression")?;
        let otherwise = self.expression()?;
        self.unnest();
        Ok(Node::Choice {
            condition: Box::new(condition),
            then: Box::new(then),
            otherwise: Box::new(otherwise),
        })
    }

    /// All left-associative operators of binding `level` (and tighter).
    fn binary(&mut self, level: u8) -> Result<Node, ParseError> {
        if level > TIGHTEST_LEVEL {
            return self.unary();
        }
        let first = self.binary(level + 1)?;
        let mut rest = Vec::new();
        while let Some(op) = binary_op(self.peek()).filter(|op| op.level() == level) {
            self.advance();
            rest.push((op, self.binary(level + 1)?));
        }
        if rest.is_empty() {
            return Ok(first);
        }
        Ok(Node::Chain {
            first: Box::new(first),
            rest,
        })
    }

    /// `('-' | '!' | 'not' | 'empty') unary | postfix`
    fn unary(&mut self) -> Result<Node, ParseError> {
        let op = match self.peek() {
            Tok::Minus => UnaryOp::Neg,
            Tok::Not => UnaryOp::Not,
            Tok::Empty => UnaryOp::Empty,
            _ => return self.postfix(),
        };
        let token = self.advance();
        self.nest(token.start)?;
        let operand = self.unary()?;
        self.unnest();
        Ok(Node::Unary {
            op,
            operand: Box::new(operand),
        })
    }

    /// `primary ('.' identifier | '[' expression ']')*`; a `(` after either is a method call.
    fn postfix(&mut self) -> Result<Node, ParseError> {
        let base = self.primary()?;
        let mut path = Vec::new();
        loop {
            match self.peek() {
                Tok::Dot => {
                    self.advance();
                    let token = self.advance();
                    if self.peek() == &Tok::LParen {
                        return Err(ParseError::new(
                            token.start,
                            format!("method calls are not supported: '{}(…)'", self.text(&token)),
                        ));
                    }
                    let Tok::Ident(name) = token.kind else {
                        return Err(ParseError::new(
                            token.start,
                            format!(
                                "expected a property name after '.', found '{}'",
                                self.text(&token)
                            ),
                        ));
                    };
                    path.push(Accessor::Property(name));
                }
                Tok::LBracket => {
                    let open = self.advance();
                    self.nest(open.start)?;
                    let index = self.expression()?;
                    self.expect(&Tok::RBracket, "']'")?;
                    self.unnest();
                    if self.peek() == &Tok::LParen {
                        return Err(ParseError::new(
                            open.start,
                            "method calls are not supported: '[…](…)'",
                        ));
                    }
                    path.push(Accessor::Index(index));
                }
                _ => break,
            }
        }
        if path.is_empty() {
            return Ok(base);
        }
        Ok(Node::Access {
            base: Box::new(base),
            path,
        })
    }

    fn primary(&mut self) -> Result<Node, ParseError> {
        let token = self.advance();
        let literal = match token.kind {
            Tok::Str(s) => Value::String(s),
            Tok::Int(i) => Value::from(i),
            Tok::Float(f) => Value::from(f),
            Tok::True => Value::Bool(true),
            Tok::False => Value::Bool(false),
            Tok::Null => Value::Null,
            Tok::Ident(name) => {
                if self.peek() == &Tok::LParen {
                    return Err(ParseError::new(
                        token.start,
                        format!("function calls are not supported: '{name}(…)'"),
                    ));
                }
                return Ok(Node::Ident(name));
            }
            Tok::LParen => {
                self.nest(token.start)?;
                let inner = self.expression()?;
                self.expect(&Tok::RParen, "')'")?;
                self.unnest();
                return Ok(inner);
            }
            Tok::Instanceof => {
                return Err(ParseError::new(
                    token.start,
                    "'instanceof' is reserved and not supported",
                ));
            }
            Tok::Close => {
                return Err(ParseError::new(
                    token.start,
                    "expected an expression, found '}'",
                ));
            }
            _ => {
                return Err(ParseError::new(
                    token.start,
                    format!("expected an expression, found '{}'", self.text(&token)),
                ));
            }
        };
        Ok(Node::Literal(literal))
    }
}

fn binary_op(tok: &Tok) -> Option<BinaryOp> {
    Some(match tok {
        Tok::Or => BinaryOp::Or,
        Tok::And => BinaryOp::And,
        Tok::Eq => BinaryOp::Eq,
        Tok::Ne => BinaryOp::Ne,
        Tok::Lt => BinaryOp::Lt,
        Tok::Gt => BinaryOp::Gt,
        Tok::Le => BinaryOp::Le,
        Tok::Ge => BinaryOp::Ge,
        Tok::Plus => BinaryOp::Add,
        Tok::Minus => BinaryOp::Sub,
        Tok::Star => BinaryOp::Mul,
        Tok::Slash => BinaryOp::Div,
        Tok::Percent => BinaryOp::Mod,
        _ => return None,
    })
}
