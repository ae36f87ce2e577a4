#!/usr/bin/env python3
"""yml-lxml-peer.py FILE: the benchmark peer of package_yml's reader.

Reads a YML feed with lxml's iterparse and builds, for every <offer>, the same record our reader
builds (a dict with the same fields): trimmed texts, `title` when `name` is missing, pictures split
on "|", params as (name, unit, value), barcodes, prices / weight / dimensions as Decimal, stock from
count / quantity or the sum of outlets/outlet@instock, outlets, group_id as attribute or child.
An offer without an id or with an unreadable number is counted as rejected, as our reader does.
No DTD, no network, no entity expansion; memory stays bounded (each offer is cleared, and the
offers before it deleted, once its record is built).

Prints one JSON object: {"file", "offers", "rejected", "seconds", "offers_per_second",
"peak_rss_mb"}.
"""

import json
import resource
import sys
import time
from decimal import Decimal, InvalidOperation

from lxml import etree

TEXT_FIELDS = {
    "name": "name",
    "typePrefix": "type_prefix",
    "vendor": "vendor",
    "model": "model",
    "vendorCode": "vendor_code",
    "url": "url",
    "currencyId": "currency_id",
    "categoryId": "category_id",
    "description": "description",
    "country_of_origin": "country_of_origin",
    "sales_notes": "sales_notes",
}
DECIMAL_FIELDS = {"price": "price", "oldprice": "old_price", "weight": "weight_kg"}


class Rejected(Exception):
    pass


def text_of(element):
    text = "".join(element.itertext()) if len(element) else (element.text or "")
    return text.strip()


def decimal(text, what):
    try:
        return Decimal(text)
    except InvalidOperation:
        raise Rejected(f"{what} {text!r} is not a decimal number") from None


def whole(text, what):
    try:
        return int(text)
    except ValueError:
        raise Rejected(f"{what} {text!r} is not a whole number") from None


def parse_bool(text):
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise Rejected(f"available {text!r} is neither true nor false")


def build(offer):
    """The record of one <offer> element, or raises Rejected."""
    offer_id = (offer.get("id") or "").strip()
    if not offer_id:
        raise Rejected("the offer has no id attribute")
    available = offer.get("available")
    record = {
        "id": offer_id,
        "available": parse_bool(available) if available else None,
        "kind": offer.get("type") or None,
        "group_id": offer.get("group_id") or None,
        "pictures": [],
        "barcodes": [],
        "params": [],
        "outlets": [],
        "dimensions": None,
        "stock": None,
    }
    title = count = quantity = None
    for child in offer:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # a comment or processing instruction
        if tag == "param":
            record["params"].append((child.get("name") or "", child.get("unit") or None, text_of(child)))
            continue
        if tag == "outlets":
            for outlet in child:
                if outlet.tag == "outlet":
                    instock = outlet.get("instock")
                    if instock is None:
                        raise Rejected("outlet without instock")
                    record["outlets"].append(
                        (outlet.get("id"), outlet.get("warehouse_name"), whole(instock.strip(), "instock"))
                    )
            continue
        text = text_of(child)
        if tag in TEXT_FIELDS:
            record[TEXT_FIELDS[tag]] = text or None
        elif tag == "picture":
            record["pictures"].extend(p.strip() for p in text.split("|") if p.strip())
        elif tag in DECIMAL_FIELDS:
            if text:
                record[DECIMAL_FIELDS[tag]] = decimal(text, tag)
        elif tag == "barcode":
            if text:
                record["barcodes"].append(text)
        elif tag == "dimensions":
            if text:
                parts = text.split("/")
                if len(parts) != 3:
                    raise Rejected(f"dimensions {text!r} are not length/width/height")
                record["dimensions"] = tuple(decimal(p.strip(), "dimensions") for p in parts)
        elif tag == "count":
            count = whole(text, "count") if text else None
        elif tag == "quantity":
            quantity = whole(text, "quantity") if text else None
        elif tag == "title":
            title = text or None
        elif tag == "group_id":
            record["group_id"] = record["group_id"] or text or None
    if record.get("name") is None:
        record["name"] = title
    stock = count if count is not None else quantity
    if stock is None and record["outlets"]:
        stock = sum(o[2] for o in record["outlets"])
    record["stock"] = stock
    return record


def main(path):
    started = time.perf_counter()
    offers = rejected = 0
    context = etree.iterparse(
        path,
        events=("end",),
        tag="offer",
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        resolve_entities=False,
        huge_tree=True,
    )
    for _, element in context:
        try:
            build(element)
            offers += 1
        except Rejected:
            rejected += 1
        element.clear()
        parent = element.getparent()
        while element.getprevious() is not None:
            del parent[0]
    seconds = time.perf_counter() - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "file": path,
                "offers": offers,
                "rejected": rejected,
                "seconds": round(seconds, 3),
                "offers_per_second": round((offers + rejected) / seconds) if seconds else None,
                "peak_rss_mb": round(peak_rss_mb, 1),
                "lxml": ".".join(str(part) for part in etree.LXML_VERSION),
                "libxml2": ".".join(str(part) for part in etree.LIBXML_VERSION),
            }
        )
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: yml-lxml-peer.py FILE", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
