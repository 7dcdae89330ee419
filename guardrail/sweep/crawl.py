"""Fetching a published site's pages from a start URL, never leaving its origin.

The crawl stays on the start URL's origin (scheme, host and port): a link elsewhere is
counted, never fetched, and a redirect elsewhere is not followed (the page is
unreadable, and says why). Pages and linked files are written to a private folder, one
file each, named with the extension that tells the check their format (the URL's own
when a format reads it, else the Content-Type's, else none: the format is then told
from the content, and a document no format reads is unreadable).

Fail closed: every link is fetched (a URL's "extension" is no proof of what it holds:
``/people/m.okafor``, ``/v1.2/``) but for known static assets (images, stylesheets,
scripts, fonts, audio and video, by a fixed list of extensions), which are counted. A
page that cannot be fetched (an HTTP error, a timeout, a body over the size limit) is
kept as unreadable, so the sweep's report shows it as an error.
"""

from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urldefrag, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from guardrail.errors import UsageError
from guardrail.sweep.fetch import Fetcher, Refused

__all__ = ["Origin", "Page", "Crawl", "crawl", "is_url", "STATIC_SUFFIXES"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Static assets, the only links not fetched: images, stylesheets, scripts, fonts,
# audio and video. Anything else may be a page or a document, whatever its URL says.
STATIC_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp", ".tif",
    ".tiff", ".heic", ".css", ".js", ".mjs", ".map", ".woff", ".woff2", ".ttf", ".otf",
    ".eot", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wav", ".flac", ".mp4",
    ".m4v", ".ogv", ".webm", ".mov", ".avi", ".mkv", ".mpg", ".mpeg", ".wmv"})
_REFRESH = re.compile(r"^\s*\d*(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?(['\"]?)(.+?)\1\s*$",
                      re.IGNORECASE)
_NO_URL = re.compile(r"url\s*=?", re.IGNORECASE)  # "0; url=" with nothing after it
_HTML = frozenset({".html", ".htm", ".xhtml", ".xht", ".shtml"})
_TYPES = {
    "text/html": ".html", "application/xhtml+xml": ".xhtml", "text/csv": ".csv",
    "text/tab-separated-values": ".tsv", "application/json": ".json",
    "application/geo+json": ".geojson", "application/x-ndjson": ".ndjson",
    "application/xml": ".xml", "text/xml": ".xml", "text/plain": ".txt",
    "text/markdown": ".md", "application/yaml": ".yaml", "text/yaml": ".yaml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.apache.parquet": ".parquet",
}


def is_url(target: str) -> bool:
    """Is *target* an http(s) URL (rather than a folder)?"""
    return urlsplit(target).scheme.lower() in _DEFAULT_PORTS


@dataclass(frozen=True)
class Origin:
    """Scheme, host and port: what a crawl may fetch from."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin | None:
        """The origin of *url*, or None when it is not an http(s) URL with a host."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:  # a port that is not a number
            return None
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        return cls(scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme])


@dataclass
class Page:
    """One fetched URL: the file holding its body (and the type the server gave it),
    or why it could not be fetched."""

    url: str
    path: str | None = None
    error: str | None = None
    content_type: str = ""


@dataclass
class Crawl:
    """What a crawl fetched and what it left alone (counted, for the report)."""

    pages: list[Page] = field(default_factory=list)
    not_fetched: int = 0  # links left in the queue when --max-pages was reached
    elsewhere: int = 0  # links to other origins (never fetched)
    skipped: int = 0  # links to static assets (images, stylesheets, ...)


def normalise(url: str) -> str:
    """*url* without its fragment, scheme and host in lower case, no default port."""
    url, _ = urldefrag(url)
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def crawl(start: str, folder: str, *, extensions: frozenset[str], max_pages: int,
          max_bytes: int, timeout: float) -> Crawl:
    """Fetch *start* and every page and file it links to on its origin (but static
    assets), breadth first, at most *max_pages*, each into a file in *folder*.

    :param extensions: file extensions the installed formats read (``.csv``): a URL
        ending in one is saved with it, anything else by its Content-Type.
    :param max_bytes: a body larger than this is unreadable (``--max-file-size``).
    :param timeout: seconds a whole request may take (connect, answer and body).

    Raises UsageError when *start* is not an http(s) URL with a host.
    """
    origin = Origin.of(start)
    if origin is None:
        raise UsageError("the start URL must be http:// or https:// with a host name, "
                         "e.g. https://www.example.org/")
    fetcher = Fetcher(lambda url: Origin.of(url) == origin, timeout, max_bytes)

    def suffix_for(final: str, kind: str) -> str:
        suffix = _suffix(final)
        return suffix if suffix in extensions else _TYPES.get(kind, "")

    result = Crawl()
    first = normalise(start)
    queue: deque[str] = deque([first])
    seen = {first}
    fetched: set[str] = set()  # what was read, under the URL asked for and the final one
    while queue:
        if len(result.pages) >= max_pages:
            result.not_fetched = len(queue)
            break
        url = queue.popleft()
        if url in fetched:
            continue  # already read at the end of a redirect
        path = os.path.join(folder, f"{len(result.pages) + 1:05d}")
        try:
            got = fetcher.fetch(url, path, suffix_for)
        except Refused as refused:
            fetched.add(url)
            result.pages.append(Page(url, error=str(refused)))
            continue
        final = normalise(got.final)
        if final != url and final in fetched:
            fetched.add(url)  # a redirect to a page read already: checked once
            continue
        fetched.update((url, final))
        result.pages.append(Page(url, got.path, content_type=got.content_type))
        if not got.path.endswith(tuple(_HTML)):
            continue
        for link in _links(got.path, got.final):
            link = normalise(link)
            if link in seen or not link.startswith(("http:", "https:")):
                continue
            seen.add(link)
            if Origin.of(link) != origin:
                result.elsewhere += 1
            elif _suffix(link) in STATIC_SUFFIXES:
                result.skipped += 1
            else:
                queue.append(link)
    return result


def _suffix(url: str) -> str:
    return PurePosixPath(unquote(urlsplit(url).path)).suffix.lower()


def _links(path: str, base: str) -> list[str]:
    """The absolute URLs a page links to or loads as a page (``a``, ``area`` and
    ``link`` hrefs, ``iframe`` and ``frame`` srcs, a ``<meta http-equiv=refresh>``
    target), resolved against its ``<base href>`` when it has one."""
    with open(path, "rb") as handle:
        tree = LexborHTMLParser(handle.read())
    declared = tree.css_first("base[href]")
    if declared is not None:
        base = urljoin(base, (declared.attributes.get("href") or "").strip())
    found = [node.attributes.get("href") for node in
             tree.css("a[href], area[href], link[href]")]
    found += [node.attributes.get("src") for node in tree.css("iframe[src], frame[src]")]
    for node in tree.css("meta[http-equiv][content]"):
        if (node.attributes.get("http-equiv") or "").strip().lower() == "refresh":
            target = _REFRESH.match(node.attributes.get("content") or "")
            url = target.group(2).strip() if target is not None else ""
            if url and not url.isdigit() and not _NO_URL.fullmatch(url):
                found.append(url)
    return [urljoin(base, href.strip()) for href in found if href and href.strip()]
