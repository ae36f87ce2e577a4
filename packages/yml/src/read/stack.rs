//! The names of the open elements, in one string (no allocation per element once warm). The
//! reader checks end tags against it itself, so a mismatch inside an offer rejects that offer
//! instead of ending the feed.

#[derive(Debug, Default)]
pub(crate) struct Stack {
    names: String,
    starts: Vec<usize>,
}

impl Stack {
    /// How many elements are open; an element's level is the length right after its push.
    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    pub(crate) fn push(&mut self, name: &str) {
        self.starts.push(self.names.len());
        self.names.push_str(name);
    }

    /// Closes the innermost element.
    pub(crate) fn pop(&mut self) {
        if let Some(start) = self.starts.pop() {
            self.names.truncate(start);
        }
    }

    /// Closes every element above `level`.
    pub(crate) fn truncate(&mut self, level: usize) {
        if let Some(&start) = self.starts.get(level) {
            self.names.truncate(start);
            self.starts.truncate(level);
        }
    }

    /// The innermost open element.
    pub(crate) fn top(&self) -> Option<&str> {
        self.starts.last().map(|&start| &self.names[start..])
    }

    /// The name of the element at `level` (1 = the root).
    pub(crate) fn at(&self, level: usize) -> Option<&str> {
        let start = *self.starts.get(level.checked_sub(1)?)?;
        let end = self.starts.get(level).copied().unwrap_or(self.names.len());
        Some(&self.names[start..end])
    }

    /// The level of the innermost open element named `name`.
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        if self.top() == Some(name) {
            return Some(self.len());
        }
        (1..self.len())
            .rev()
            .find(|&level| self.at(level) == Some(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_pop_find() {
        let mut stack = Stack::default();
        for name in ["yml_catalog", "shop", "offers", "offer", "name"] {
            stack.push(name);
        }
        assert_eq!(stack.top(), Some("name"));
        assert_eq!(stack.at(2), Some("shop"));
        assert_eq!(stack.find("offer"), Some(4));
        assert_eq!(stack.find("nothing"), None);
        stack.truncate(3);
        assert_eq!((stack.len(), stack.top()), (3, Some("offers")));
        stack.pop();
        assert_eq!(stack.top(), Some("shop"));
    }
}
