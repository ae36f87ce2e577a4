//! Tokens of one `${…}` / `#{…}` body. The lexer runs from just after the opening brace to the
//! first `}` token (a `}` inside a string literal is part of the string), so it also finds where
//! an embedded expression ends.

use crate::error::ParseError;

/// A token kind. Keyword spellings map onto their symbol twins (`and` → `And`, `div` → `Slash`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Str(String),
    Int(i64),
    Float(f64),
    Ident(String),
    True,
    False,
    Null,
    /// `&&` / `and`
    And,
    /// `||` / `or`
    Or,
    /// `!` / `not`
    Not,
    Empty,
    Instanceof,
    /// `==` / `eq`
    Eq,
    /// `!=` / `ne`
    Ne,
    /// `<` / `lt`
    Lt,
    /// `>` / `gt`
    Gt,
    /// `<=` / `le`
    Le,
    /// `>=` / `ge`
    Ge,
    Plus,
    Minus,
    Star,
    /// `/` / `div`
    Slash,
    /// `%` / `mod`
    Percent,
    Dot,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Question,
    Colon,
    Comma,
    /// The `}` that ends the expression; always the last token.
    Close,
}

/// A token and its char span in the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

/// Lexes from `start` (just after `${`) through the closing `}`. Returns the tokens (the last is
/// [`Tok::Close`]) and the index just after the `}`. `opened_at` is where `${` began, for the
/// "missing `}`" error.
pub(crate) fn tokenize(
    chars: &[char],
    start: usize,
    opened_at: usize,
) -> Result<(Vec<Token>, usize), ParseError> {
    let mut lexer = Lexer { chars, pos: start };
    let mut tokens = Vec::new();
    loop {
        while lexer.peek(0).is_some_and(char::is_whitespace) {
            lexer.pos += 1;
        }
        let begin = lexer.pos;
        let Some(c) = lexer.peek(0) else {
            return Err(ParseError::new(
                opened_at,
                "unterminated expression: missing '}'",
            ));
        };
        let kind = lexer.token(c)?;
        tokens.push(Token {
            kind,
            start: begin,
            end: lexer.pos,
        });
        if tokens.last().is_some_and(|t| t.kind == Tok::Close) {
            return Ok((tokens, lexer.pos));
        }
    }
}

struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn token(&mut self, c: char) -> Result<Tok, ParseError> {
        let begin = self.pos;
        if c.is_ascii_digit() || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) {
            return self.number();
        }
        if c == '\'' || c == '"' {
            return self.string(c);
        }
        if is_ident_start(c) {
            return Ok(self.word());
        }
        let next = self.peek(1);
        let (kind, len) = match (c, next) {
            ('&', Some('&')) => (Tok::And, 2),
            ('|', Some('|')) => (Tok::Or, 2),
            ('=', Some('=')) => (Tok::Eq, 2),
            ('!', Some('=')) => (Tok::Ne, 2),
            ('<', Some('=')) => (Tok::Le, 2),
            ('>', Some('=')) => (Tok::Ge, 2),
            ('!', _) => (Tok::Not, 1),
            ('<', _) => (Tok::Lt, 1),
            ('>', _) => (Tok::Gt, 1),
            ('+', _) => (Tok::Plus, 1),
            ('-', _) => (Tok::Minus, 1),
            ('*', _) => (Tok::Star, 1),
            ('/', _) => (Tok::Slash, 1),
            ('%', _) => (Tok::Percent, 1),
            ('.', _) => (Tok::Dot, 1),
            ('[', _) => (Tok::LBracket, 1),
            (']', _) => (Tok::RBracket, 1),
            ('(', _) => (Tok::LParen, 1),
            (')', _) => (Tok::RParen, 1),
            ('?', _) => (Tok::Question, 1),
            (':', _) => (Tok::Colon, 1),
            (',', _) => (Tok::Comma, 1),
            ('}', _) => (Tok::Close, 1),
            ('&', _) => return Err(ParseError::new(begin, "unexpected '&' (use '&&' or 'and')")),
            ('|', _) => return Err(ParseError::new(begin, "unexpected '|' (use '||' or 'or')")),
            ('=', _) => {
                return Err(ParseError::new(
                    begin,
                    "unexpected '=' (assignment is not supported; use '==' or 'eq')",
                ));
            }
            _ => {
                return Err(ParseError::new(
                    begin,
                    format!("unexpected character '{c}'"),
                ));
            }
        };
        self.pos += len;
        Ok(kind)
    }

    fn digits(&mut self, out: &mut String) {
        while let Some(d) = self.peek(0).filter(char::is_ascii_digit) {
            out.push(d);
            self.pos += 1;
        }
    }

    /// `123`, `1.5`, `1.`, `.5`, `1e3`, `1.5E-3` (JUEL's integer and floating-point literals).
    fn number(&mut self) -> Result<Tok, ParseError> {
        let begin = self.pos;
        let mut int_part = String::new();
        self.digits(&mut int_part);
        let mut frac = String::new();
        let mut float = false;
        if self.peek(0) == Some('.') {
            float = true;
            self.pos += 1;
            self.digits(&mut frac);
        }
        let mut exponent = String::new();
        if matches!(self.peek(0), Some('e' | 'E')) {
            let signed = matches!(self.peek(1), Some('+' | '-'));
            let digit_at = if signed { 2 } else { 1 };
            if self.peek(digit_at).is_some_and(|d| d.is_ascii_digit()) {
                float = true;
                if signed && self.peek(1) == Some('-') {
                    exponent.push('-');
                }
                self.pos += digit_at;
                self.digits(&mut exponent);
            }
        }
        if !float {
            return int_part.parse::<i64>().map(Tok::Int).map_err(|_| {
                ParseError::new(begin, format!("integer literal {int_part} is out of range"))
            });
        }
        let text = format!(
            "{}.{}e{}",
            if int_part.is_empty() { "0" } else { &int_part },
            if frac.is_empty() { "0" } else { &frac },
            if exponent.is_empty() { "0" } else { &exponent },
        );
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(Tok::Float(value)),
            _ => Err(ParseError::new(begin, "number literal is out of range")),
        }
    }

    /// A `'…'` or `"…"` literal; `\'`, `\"` and `\\` are escapes, any other backslash is kept.
    fn string(&mut self, quote: char) -> Result<Tok, ParseError> {
        let begin = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek(0) else {
                return Err(ParseError::new(begin, "unterminated string literal"));
            };
            self.pos += 1;
            if c == quote {
                return Ok(Tok::Str(out));
            }
            if c == '\\'
                && let Some(escaped @ ('\'' | '"' | '\\')) = self.peek(0)
            {
                out.push(escaped);
                self.pos += 1;
                continue;
            }
            out.push(c);
        }
    }

    fn word(&mut self) -> Tok {
        let mut word = String::new();
        while let Some(c) = self.peek(0).filter(|&c| is_ident_part(c)) {
            word.push(c);
            self.pos += 1;
        }
        match word.as_str() {
            "true" => Tok::True,
            "false" => Tok::False,
            "null" => Tok::Null,
            "and" => Tok::And,
            "or" => Tok::Or,
            "not" => Tok::Not,
            "empty" => Tok::Empty,
            "instanceof" => Tok::Instanceof,
            "eq" => Tok::Eq,
            "ne" => Tok::Ne,
            "lt" => Tok::Lt,
            "gt" => Tok::Gt,
            "le" => Tok::Le,
            "ge" => Tok::Ge,
            "div" => Tok::Slash,
            "mod" => Tok::Percent,
            _ => Tok::Ident(word),
        }
    }
}

/// Java identifier start, as JUEL uses it: a letter, `_` or `$`.
fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_part(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}
