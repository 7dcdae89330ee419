"""Fetching a published site's pages from a start URL, never leaving its origin.

The crawl stays on the start URL's origin (scheme, host and port): a link elsewhere is
counted, never fetched, and a redirect elsewhere is not followed (the page is
unreadable, and says why). Pages and linked files are written to a private folder, one
file each, named with the extension that tells the check their format (the URL's own
when a format reads it, else the Content-Type's); the check reads them as files.

Fail closed: a page that cannot be fetched (an HTTP error, a timeout, a body over the
size limit) is kept as unreadable, so the sweep's report shows it as an error. Links to
files no format reads (images, stylesheets, scripts) are counted, not fetched.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from guardrail.errors import UsageError

__all__ = ["Origin", "Page", "Crawl", "crawl", "is_url", "PAGE_SUFFIXES"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Extensions of pages a server renders (HTML, once fetched) rather than files to read.
PAGE_SUFFIXES = frozenset({"", ".php", ".asp", ".aspx", ".jsp", ".cgi", ".cfm", ".pl"})
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
_CHUNK = 1 << 16


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
    """One fetched URL: the file holding its body, or why it could not be fetched."""

    url: str
    path: str | None = None
    error: str | None = None


@dataclass
class Crawl:
    """What a crawl fetched and what it left alone (counted, for the report)."""

    pages: list[Page] = field(default_factory=list)
    not_fetched: int = 0  # links left in the queue when --max-pages was reached
    elsewhere: int = 0  # links to other origins (never fetched)
    skipped: int = 0  # links to files no installed format reads


class _Refused(Exception):
    """A fetch the crawl will not make or finish; the message is the page's error."""


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, origin: Origin) -> None:
        self.origin = origin

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        if Origin.of(newurl) != self.origin:
            raise _Refused(f"redirects (HTTP {code}) to another site (another scheme, host "
                           "or port): not followed, as a sweep stays on the start URL's "
                           "site; sweep that site on its own")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


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
    """Fetch *start* and every page and readable file it links to on its origin,
    breadth first, at most *max_pages*, each into a file in *folder*.

    :param extensions: file extensions the installed formats read (``.csv``): links to
        other files are counted in :attr:`Crawl.skipped`, not fetched.
    :param max_bytes: a body larger than this is unreadable (``--max-file-size``).
    :param timeout: seconds to wait for a server to connect or answer.

    Raises UsageError when *start* is not an http(s) URL with a host.
    """
    origin = Origin.of(start)
    if origin is None:
        raise UsageError("the start URL must be http:// or https:// with a host name, "
                         "e.g. https://www.example.org/")
    opener = urllib.request.build_opener(_SameOriginRedirects(origin))
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
        page, base = _fetch(opener, url, path, extensions, max_bytes, timeout)
        final = normalise(base) if base is not None else url
        if final != url and final in fetched:
            fetched.add(url)  # a redirect to a page read already: checked once
            continue
        fetched.update((url, final))
        result.pages.append(page)
        if base is None or page.path is None or not page.path.endswith(tuple(_HTML)):
            continue
        for link in _links(page.path, base):
            link = normalise(link)
            if link in seen or not link.startswith(("http:", "https:")):
                continue
            seen.add(link)
            if Origin.of(link) != origin:
                result.elsewhere += 1
            elif _suffix(link) not in extensions and _suffix(link) not in PAGE_SUFFIXES:
                result.skipped += 1
            else:
                queue.append(link)
    return result


def _suffix(url: str) -> str:
    return PurePosixPath(unquote(urlsplit(url).path)).suffix.lower()


def _fetch(opener: urllib.request.OpenerDirector, url: str, path: str,
           extensions: frozenset[str], max_bytes: int, timeout: float
           ) -> tuple[Page, str | None]:
    """The page at *url* (its body in *path* plus an extension) and the URL its links
    are relative to; an unreadable page has an error and no base."""
    request = urllib.request.Request(url, headers={
        "User-Agent": "guardrail-sweep", "Accept": "*/*"})
    try:
        with opener.open(request, timeout=timeout) as response:
            if not 200 <= response.status < 300:
                raise _Refused(f"the server answered HTTP {response.status}; a page a "
                               "sweep cannot read may hold anything")
            final = response.geturl()
            suffix = _suffix(final)
            if suffix not in extensions:
                kind = response.headers.get_content_type()
                suffix = _TYPES.get(kind, "")
            size = response.headers.get("Content-Length")
            if size is not None and size.isdigit() and int(size) > max_bytes:
                raise _Refused(_too_big(max_bytes))
            path += suffix
            _save(response, path, max_bytes)
            return Page(url, path), final
    except _Refused as refused:
        return Page(url, error=str(refused)), None
    except urllib.error.HTTPError as exc:
        return Page(url, error=f"the server answered HTTP {exc.code}; a page a sweep "
                               "cannot read may hold anything"), None
    except TimeoutError:
        return Page(url, error=f"no answer within {timeout:g}s; raise --timeout if the "
                               "site is slow"), None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None)
        if isinstance(reason, TimeoutError):
            return Page(url, error=f"no answer within {timeout:g}s; raise --timeout if "
                                   "the site is slow"), None
        why = getattr(reason, "strerror", None) or getattr(exc, "strerror", None) \
            or type(reason or exc).__name__
        return Page(url, error=f"cannot fetch it ({why})"), None


def _save(response: Any, path: str, max_bytes: int) -> None:
    written = 0
    with open(path, "wb") as out:
        while chunk := response.read(_CHUNK):
            written += len(chunk)
            if written > max_bytes:
                raise _Refused(_too_big(max_bytes))
            out.write(chunk)


def _too_big(max_bytes: int) -> str:
    return (f"larger than {max_bytes} bytes; raise --max-file-size to check it "
            "(a page left unchecked may hold anything)")


def _links(path: str, base: str) -> list[str]:
    """The absolute URLs a page links to (``a``, ``area`` and ``link`` hrefs),
    resolved against its ``<base href>`` when it has one."""
    with open(path, "rb") as handle:
        tree = LexborHTMLParser(handle.read())
    declared = tree.css_first("base[href]")
    if declared is not None:
        base = urljoin(base, (declared.attributes.get("href") or "").strip())
    links = []
    for node in tree.css("a[href], area[href], link[href]"):
        href = (node.attributes.get("href") or "").strip()
        if href:
            links.append(urljoin(base, href))
    return links
