//! Variable scoping: lookup from an activity's locals up through its scope chain, Camunda's
//! `setVariable` propagation (to the scope that has it, else the process), and the evaluation of
//! expressions and input/output parameters against that view.

use carpetti_expression::{EvalError, Expression};
use serde_json::Value;

use super::exec::Run;
use crate::model::{Parameter, ParameterValue};
use crate::variables::{TypedValue, Variables};

/// A read-only view of the variables visible from an activity.
pub(crate) struct View<'r, 'a> {
    pub locals: Option<&'r Variables>,
    pub scope: &'r str,
    pub run: &'r Run<'a>,
}

impl carpetti_expression::Variables for View<'_, '_> {
    fn variable(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.locals.and_then(|l| l.get(name)) {
            return Some(v.to_expression_value());
        }
        if let Some(v) = self.run.find_variable(self.scope, name) {
            return Some(v.to_expression_value());
        }
        match name {
            "execution" => Some(serde_json::json!({
                "processInstanceId": self.run.state.id,
                "processBusinessKey": self.run.state.business_key,
                "businessKey": self.run.state.business_key,
                "processDefinitionId": self.run.state.definition_id,
            })),
            _ => None,
        }
    }
}

impl Run<'_> {
    /// The variable `name` as seen from `scope` (walking up to the process).
    pub(crate) fn find_variable(&self, scope: &str, name: &str) -> Option<&TypedValue> {
        let mut current = Some(scope);
        while let Some(id) = current {
            let s = self.state.scopes.get(id)?;
            if let Some(v) = s.variables.get(name) {
                return Some(v);
            }
            current = s.parent.as_deref();
        }
        None
    }

    /// Camunda's `setVariable` from `scope`: where the variable exists, else on the process.
    pub(crate) fn set_variable(&mut self, scope: &str, name: &str, value: TypedValue) {
        if value.is_transient() {
            return;
        }
        let mut current = Some(scope.to_owned());
        while let Some(id) = current {
            let Some(s) = self.state.scopes.get_mut(&id) else {
                break;
            };
            if let Some(slot) = s.variables.get_mut(name) {
                *slot = value;
                return;
            }
            current = s.parent.clone();
        }
        if let Some(root) = self.state.scopes.get_mut(&self.state.id) {
            root.variables.insert(name.to_owned(), value);
        }
    }

    pub(crate) fn set_variables(&mut self, scope: &str, variables: Variables) {
        for (name, value) in variables {
            self.set_variable(scope, &name, value);
        }
    }

    pub(crate) fn evaluate(
        &self,
        expr: &Expression,
        scope: &str,
        locals: Option<&Variables>,
    ) -> Result<Value, EvalError> {
        expr.evaluate(&View {
            locals,
            scope,
            run: self,
        })
    }

    pub(crate) fn evaluate_bool(
        &self,
        expr: &Expression,
        scope: &str,
        locals: Option<&Variables>,
    ) -> Result<bool, EvalError> {
        expr.evaluate_bool(&View {
            locals,
            scope,
            run: self,
        })
    }

    /// Evaluates to text (a topic, a timer, a called element…).
    pub(crate) fn evaluate_text(
        &self,
        expr: &Expression,
        scope: &str,
        locals: Option<&Variables>,
    ) -> Result<String, String> {
        match self
            .evaluate(expr, scope, locals)
            .map_err(|e| format!("{expr}: {e}"))?
        {
            Value::String(s) => Ok(s),
            Value::Null => Err(format!("{expr} evaluated to null")),
            other => Ok(other.to_string()),
        }
    }

    /// Evaluates parameters; each sees the ones before it.
    pub(crate) fn evaluate_parameters(
        &self,
        params: &[Parameter],
        scope: &str,
        locals: &Variables,
    ) -> Result<Variables, String> {
        let mut out = locals.clone();
        let mut produced = Variables::new();
        for p in params {
            let value = self
                .parameter_value(&p.value, scope, &out)
                .map_err(|e| format!("parameter '{}': {e}", p.name))?;
            let typed = TypedValue::infer(value);
            out.insert(p.name.clone(), typed.clone());
            produced.insert(p.name.clone(), typed);
        }
        Ok(produced)
    }

    fn parameter_value(
        &self,
        value: &ParameterValue,
        scope: &str,
        locals: &Variables,
    ) -> Result<Value, EvalError> {
        Ok(match value {
            ParameterValue::Null => Value::Null,
            ParameterValue::Expression(e) => self.evaluate(e, scope, Some(locals))?,
            ParameterValue::List(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.parameter_value(i, scope, locals))
                    .collect::<Result<_, _>>()?,
            ),
            ParameterValue::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.parameter_value(v, scope, locals)?)))
                    .collect::<Result<_, EvalError>>()?,
            ),
        })
    }

    /// All variables visible from `scope` (nearest wins), for a called process's `in all`.
    pub(crate) fn visible_variables(&self, scope: &str) -> Variables {
        let mut chain = Vec::new();
        let mut current = Some(scope);
        while let Some(id) = current {
            let Some(s) = self.state.scopes.get(id) else {
                break;
            };
            chain.push(&s.variables);
            current = s.parent.as_deref();
        }
        let mut all = Variables::new();
        for vars in chain.into_iter().rev() {
            all.extend(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        all
    }
}
