//! The syntax tree of a parsed source.
//!
//! Left-associative operators of one precedence level form one [`Node::Chain`] and property paths
//! form one [`Node::Access`], so the tree depth grows only with real nesting (parentheses,
//! brackets, unary operators, conditionals), which the parser bounds.

use serde_json::Value;

/// A whole source: literal text, one expression, or text with embedded expressions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    /// No `${…}` / `#{…}`: the text (escapes `\${` / `\#{` resolved).
    Literal(String),
    /// Exactly one `${…}` with no text around it: evaluates to the expression's own value.
    Single(Node),
    /// Text and expressions: evaluates to the concatenated string.
    Composite(Vec<Part>),
}

/// One piece of a composite text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    Text(String),
    Expr(Node),
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A string, integer, decimal, boolean or null literal.
    Literal(Value),
    /// A variable reference.
    Ident(String),
    /// `base.a['b'][0]…`: a base value and one or more accessors applied left to right.
    Access {
        base: Box<Node>,
        path: Vec<Accessor>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Node>,
    },
    /// `first op1 x1 op2 x2 …`, all operators of one precedence level, applied left to right.
    Chain {
        first: Box<Node>,
        rest: Vec<(BinaryOp, Node)>,
    },
    /// `condition ? then : otherwise`.
    Choice {
        condition: Box<Node>,
        then: Box<Node>,
        otherwise: Box<Node>,
    },
}

/// One step of a property path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Accessor {
    /// `.name`
    Property(String),
    /// `[expression]`
    Index(Node),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    /// `-`
    Neg,
    /// `!` / `not`
    Not,
    /// `empty`
    Empty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinaryOp {
    /// Binding strength: 0 (`||`) binds loosest, 5 (`* / %`) tightest.
    pub(crate) fn level(self) -> u8 {
        match self {
            Self::Or => 0,
            Self::And => 1,
            Self::Eq | Self::Ne => 2,
            Self::Lt | Self::Gt | Self::Le | Self::Ge => 3,
            Self::Add | Self::Sub => 4,
            Self::Mul | Self::Div | Self::Mod => 5,
        }
    }

    /// The canonical spelling, for messages.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Self::Or => "||",
            Self::And => "&&",
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Gt => ">",
            Self::Le => "<=",
            Self::Ge => ">=",
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Mod => "%",
        }
    }
}

/// The highest binding level of [`BinaryOp::level`].
pub(crate) const TIGHTEST_LEVEL: u8 = 5;

impl Body {
    /// Variable names referenced anywhere, each once, in order of first appearance.
    pub(crate) fn identifiers(&self) -> Vec<&str> {
        let mut out = Vec::new();
        match self {
            Self::Literal(_) => {}
            Self::Single(node) => node.identifiers(&mut out),
            Self::Composite(parts) => {
                for part in parts {
                    if let Part::Expr(node) = part {
                        node.identifiers(&mut out);
                    }
                }
            }
        }
        out
    }
}

impl Node {
    fn identifiers<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Self::Literal(_) => {}
            Self::Ident(name) => {
                if !out.contains(&name.as_str()) {
                    out.push(name);
                }
            }
            Self::Access { base, path } => {
                base.identifiers(out);
                for accessor in path {
                    if let Accessor::Index(index) = accessor {
                        index.identifiers(out);
                    }
                }
            }
            Self::Unary { operand, .. } => operand.identifiers(out),
            Self::Chain { first, rest } => {
                first.identifiers(out);
                for (_, node) in rest {
                    node.identifiers(out);
                }
            }
            Self::Choice {
                condition,
                then,
                otherwise,
            } => {
                condition.identifiers(out);
                then.identifiers(out);
                otherwise.identifiers(out);
            }
        }
    }
}
