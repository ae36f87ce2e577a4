//! The two error types at the crate boundary: [`ParseError`] (deployment time: the source is
//! outside the supported grammar) and [`EvalError`] (run time: a variable, property or coercion
//! failed).

/// The source is not a valid expression of the supported JUEL subset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at {position}: {message}")]
pub struct ParseError {
    /// Offset in the source, counted in chars (not bytes), of the offending token.
    pub position: usize,
    /// What is wrong, e.g. `method calls are not supported: 'equals(…)'`.
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(position: usize, message: impl Into<String>) -> Self {
        Self {
            position,
            message: message.into(),
        }
    }
}

/// Evaluating a parsed expression failed.
///
/// The messages follow the JUEL / Camunda wording where one exists; a caller reporting the failure
/// of a whole expression can write `Unknown property used in expression: {source}. Cause: {error}`
/// like Camunda does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// An identifier that [`crate::Variables`] does not know.
    #[error("Cannot resolve identifier '{0}'")]
    UnknownVariable(String),
    /// A property (or index) of a value that has no properties: a string, number or boolean,
    /// or a non-numeric property of an array.
    #[error("Cannot resolve property '{property}' of {base}")]
    UnknownProperty {
        /// The property name or the index value as text.
        property: String,
        /// The value it was applied to, described (`string "abc"`, `array`, …).
        base: String,
    },
    /// A value cannot be coerced to the type an operator needs.
    #[error("Cannot coerce {found} to {expected}")]
    Type {
        /// The target type: `number`, `boolean`, `array index`.
        expected: &'static str,
        /// The value, described (`string "abc"`, `object`, …).
        found: String,
    },
    /// A relational operator applied to values that have no order between them.
    #[error("Cannot apply '{operator}' to {left} and {right}")]
    Incomparable {
        /// The operator as written canonically (`<`, `>=`, …).
        operator: &'static str,
        /// The left operand, described.
        left: String,
        /// The right operand, described.
        right: String,
    },
    /// `/`, `div`, `%` or `mod` with a zero divisor.
    #[error("Division by zero")]
    DivisionByZero,
    /// Integer arithmetic left the range of i64.
    #[error("Integer overflow in '{0}'")]
    Overflow(&'static str),
    /// A floating-point result is infinite or NaN (not representable in JSON).
    #[error("Result of '{0}' is not a finite number")]
    NonFinite(&'static str),
}
