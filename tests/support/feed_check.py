# Reads an Atom feed from stdin with Debian's python3-feedparser and prints what a feed reader
# sees as JSON: whether it is well-formed (bozo), the version, the title, the links and entries.
import json
import sys

import feedparser

parsed = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
    "bozo": bool(parsed.bozo),
    "bozo_exception": str(parsed.get("bozo_exception", "")),
    "version": parsed.version,
    "title": parsed.feed.get("title"),
    "id": parsed.feed.get("id"),
    "updated": parsed.feed.get("updated"),
    "links": [{"rel": l.get("rel"), "href": l.get("href"), "type": l.get("type")} for l in parsed.feed.get("links", [])],
    "entries": [{
        "title": e.get("title"),
        "id": e.get("id"),
        "link": e.get("link"),
        "published": e.get("published"),
        "updated": e.get("updated"),
        "author": e.get("author"),
        "content": (e.get("content") or [{}])[0].get("value"),
        "content_type": (e.get("content") or [{}])[0].get("type"),
    } for e in parsed.entries],
}))
