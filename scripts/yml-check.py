#!/usr/bin/env python3
"""yml-check.py FILE...: an independent check of YML feeds (package_yml's writer output).

Parses each FILE with lxml's iterparse — no DTD loading or validation, no network, no entity
expansion (resolve_entities=False), huge_tree for long texts — and checks the YML skeleton: the
root is <yml_catalog>, it holds one <shop>, every <offer> sits in shop/offers and has an id.
Prints "FILE: N offers" for each file; on the first error prints "yml-check: FILE: reason" to
stderr and exits 1 (2 when lxml itself is missing: `pip install lxml`). Memory stays bounded:
each offer is cleared once checked.
"""

import sys

try:
    from lxml import etree
except ImportError:
    print("yml-check: the Python package lxml is missing (pip install lxml)", file=sys.stderr)
    sys.exit(2)


class FeedProblem(Exception):
    pass


def check(path):
    """The number of offers in the YML file at `path`; raises on any problem."""
    offers = 0
    shops = 0
    depth = 0
    context = etree.iterparse(
        path,
        events=("start", "end"),
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        resolve_entities=False,
        huge_tree=True,
    )
    for event, element in context:
        if event == "start":
            depth += 1
            if depth == 1 and element.tag != "yml_catalog":
                raise FeedProblem(f"the root element is <{element.tag}>, not <yml_catalog>")
            if depth == 2 and element.tag == "shop":
                shops += 1
            continue
        depth -= 1
        if element.tag != "offer":
            continue
        parent = element.getparent()
        grandparent = parent.getparent() if parent is not None else None
        if parent is None or parent.tag != "offers" or grandparent is None or grandparent.tag != "shop":
            raise FeedProblem(f"an <offer> outside shop/offers (line {element.sourceline})")
        if not (element.get("id") or "").strip():
            raise FeedProblem(f"an <offer> without an id (line {element.sourceline})")
        offers += 1
        element.clear()
        while element.getprevious() is not None:
            del parent[0]
    if shops != 1:
        raise FeedProblem(f"{shops} <shop> elements under <yml_catalog>, expected 1")
    return offers


def main(paths):
    if not paths:
        print("usage: yml-check.py FILE...", file=sys.stderr)
        return 2
    for path in paths:
        try:
            offers = check(path)
        except (etree.XMLSyntaxError, FeedProblem, OSError) as error:
            print(f"yml-check: {path}: {error}", file=sys.stderr)
            return 1
        print(f"{path}: {offers} offers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
