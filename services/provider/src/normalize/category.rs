//! The feed's category tree resolved once per import into a path per category id
//! ("Root/Child/Leaf"), so an offer's category costs one map lookup.

use std::collections::HashMap;

use carpetti_yml::Category;

use super::text::clean_line;

/// How many levels a path keeps at most (the leaf side): a hostile or broken tree cannot make
/// paths, or the time to build them, grow without bound.
pub(crate) const MAX_DEPTH: usize = 32;

/// Category id → its path.
#[derive(Debug, Clone, Default)]
pub(crate) struct CategoryPaths {
    paths: HashMap<String, String>,
}

impl CategoryPaths {
    /// Resolves every category of the tree. The first category with a given id wins; a parent id
    /// that names no category ends the path there; a cycle is cut where it would repeat a category;
    /// a name left empty after cleaning is replaced by the category's id.
    pub(crate) fn new(categories: &[Category]) -> Self {
        let mut nodes: HashMap<&str, (Option<&str>, String)> =
            HashMap::with_capacity(categories.len());
        for category in categories {
            let id = category.id.trim();
            if id.is_empty() {
                continue;
            }
            let parent = category
                .parent_id
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty());
            let name = clean_line(&category.name).unwrap_or_else(|| id.to_owned());
            nodes.entry(id).or_insert((parent, name));
        }
        let mut paths = HashMap::with_capacity(nodes.len());
        let mut chain: Vec<&str> = Vec::with_capacity(MAX_DEPTH);
        for &id in nodes.keys() {
            chain.clear();
            let mut current = Some(id);
            while let Some(cid) = current {
                if chain.len() == MAX_DEPTH || chain.contains(&cid) {
                    break;
                }
                let Some((parent, _)) = nodes.get(cid) else {
                    break;
                };
                chain.push(cid);
                current = *parent;
            }
            let mut path = String::new();
            for cid in chain.iter().rev() {
                if let Some((_, name)) = nodes.get(cid) {
                    if !path.is_empty() {
                        path.push('/');
                    }
                    path.push_str(name);
                }
            }
            paths.insert(id.to_owned(), path);
        }
        Self { paths }
    }

    /// The path of a category id (trimmed), when the tree has it.
    pub(crate) fn path(&self, id: &str) -> Option<&str> {
        self.paths.get(id.trim()).map(String::as_str)
    }

    /// How many categories the tree resolved.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.paths.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(id: &str, parent: Option<&str>, name: &str) -> Category {
        Category {
            id: id.to_owned(),
            parent_id: parent.map(str::to_owned),
            name: name.to_owned(),
        }
    }

    #[test]
    fn paths_follow_parents() {
        let tree = CategoryPaths::new(&[
            cat("3", Some("2"), "Дрели"),
            cat("1", None, "Инструмент"),
            cat("2", Some("1"), " Электро\nинструмент "),
            cat("999999999999999999", Some("1"), "Пилы"),
        ]);
        assert_eq!(tree.path("3"), Some("Инструмент/Электро инструмент/Дрели"));
        assert_eq!(tree.path(" 1 "), Some("Инструмент"));
        assert_eq!(tree.path("999999999999999999"), Some("Инструмент/Пилы"));
        assert_eq!(tree.path("4"), None);
        assert_eq!(tree.len(), 4);
    }

    #[test]
    fn a_missing_parent_ends_the_path() {
        let tree =
            CategoryPaths::new(&[cat("5", Some("404"), "Лампы"), cat("6", Some("5"), "LED")]);
        assert_eq!(tree.path("6"), Some("Лампы/LED"));
        assert_eq!(tree.path("5"), Some("Лампы"));
    }

    #[test]
    fn a_cycle_is_cut() {
        let tree = CategoryPaths::new(&[
            cat("a", Some("b"), "A"),
            cat("b", Some("a"), "B"),
            cat("s", Some("s"), "Self"),
        ]);
        assert_eq!(tree.path("a"), Some("B/A"));
        assert_eq!(tree.path("b"), Some("A/B"));
        assert_eq!(tree.path("s"), Some("Self"));
    }

    #[test]
    fn duplicates_empty_names_and_depth() {
        let mut cats = vec![
            cat("1", None, "First"),
            cat("1", None, "Second"),
            cat("2", Some("1"), " "),
        ];
        // A chain far deeper than any real tree.
        cats.push(cat("c0", None, "c0"));
        for i in 1..1000 {
            cats.push(cat(
                &format!("c{i}"),
                Some(&format!("c{}", i - 1)),
                &format!("c{i}"),
            ));
        }
        let tree = CategoryPaths::new(&cats);
        assert_eq!(tree.path("1"), Some("First"));
        assert_eq!(tree.path("2"), Some("First/2"));
        let deep = tree.path("c999").expect("test value");
        assert_eq!(deep.split('/').count(), MAX_DEPTH);
        assert!(deep.ends_with("c998/c999"), "{deep}");
    }
}
