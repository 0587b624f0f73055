"""The source rules: which addresses a counsellor or a regulator could not trust as a citation.

A source is refused when its host (or any parent domain of it: `cointelegraph.com.cach3.com` is caught by
`cach3.com`) is on one of the lists below, when it is a customer's own site under a vendor's domain, or when the
address carries a trailing dot, the default port or tracking parameters. The lists are data: extend them as a
fact-check finds new kinds, and say in a comment why a kind is refused.

Some sources cannot be judged by their host: a GitHub issue in an unrelated project, a forum thread, a stale
blog post where a current page exists. Those stay a curator's judgement (see `knowledge/README.md`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class RefusedKind:
    problem: str  # what `kb check` says, after the address
    hosts: frozenset[str]  # matched against the host and each of its parent domains


REFUSED_KINDS: tuple[RefusedKind, ...] = (
    # A shortener hides where it leads, and its owner can re-point it after the entry was reviewed.
    RefusedKind(
        "is a link shortener; cite the address it leads to",
        frozenset(
            {
                "bit.ly",
                "bitly.com",
                "tinyurl.com",
                "t.co",
                "goo.gl",
                "ow.ly",
                "buff.ly",
                "is.gd",
                "t.ly",
                "rb.gy",
                "cutt.ly",
                "shorturl.at",
                "tiny.cc",
                "rebrand.ly",
                "lnkd.in",
                "aka.ms",
            }
        ),
    ),
    # A package index or generated API docs describe someone's code (a wrapper, a client library), not what the
    # vendor does or promises.
    RefusedKind(
        "is a package index or third-party code documentation, not the vendor's; cite the vendor's own page",
        frozenset(
            {
                "pkg.go.dev",
                "godoc.org",
                "docs.rs",
                "crates.io",
                "lib.rs",
                "pypi.org",
                "npmjs.com",
                "libraries.io",
                "rubygems.org",
                "packagist.org",
                "nuget.org",
                "pub.dev",
                "mvnrepository.com",
            }
        ),
    ),
    # Scrapers, mirrors and caches copy someone else's page: the copy may be altered, stale or gone tomorrow,
    # and it hides who said it. Cite the original.
    RefusedKind(
        "is a scraper, mirror or cache copy; cite the original page",
        frozenset(
            {
                "group-telegram.com",
                "cach3.com",
                "xynik.com",
                "navms.com",
                "pwshub.com",
                "hackingpc.pages.dev",
                "phiguard.pages.dev",
                "wiki-gateway.eudic.net",
                "archive.wikiwix.com",
                "webcache.googleusercontent.com",
                "git.flatuslifir.is",
                "mc.merill.net",  # a copy of Microsoft 365 message-centre posts
                "einpresswire.com",  # paid redistribution of press releases: cite the issuer's own release
            }
        ),
    ),
    # Document-sharing sites host copies uploaded by anyone: no way to tell the copy is the vendor's current
    # document, and the vendor usually publishes it itself.
    RefusedKind(
        "is a document-sharing copy; cite the publisher's own copy",
        frozenset(
            {
                "scribd.com",
                "dokumen.tips",
                "readkong.com",
                "documentine.com",
                "docplayer.net",
                "pdfcoffee.com",
                "vdocuments.net",
                "vdocuments.mx",
                "fdocuments.net",
                "yumpu.com",
                "studylib.net",
            }
        ),
    ),
    # Domains that pose as someone else: a hijacked university address, a look-alike of a news site, a copy of
    # an article under another name.
    RefusedKind(
        "is a known spam or fake domain; cite the real publisher",
        frozenset({"imba.missouri.edu", "coindesk.cc", "fushionflarehub.com"}),
    ),
    # Content farms, search-engine bait and aggregators of unknown origin: no named author or editor, often
    # machine-written, and they repeat (or invent) what primary sources say.
    RefusedKind(
        "is a content farm or search-bait site; cite the vendor, a regulator or a reputable outlet",
        frozenset(
            {
                "iq.wiki",
                "kikloginonline.com",
                "ticker.tv",
                "snapfixguides.com",
                "staygreenonslack.com",
                "mastodawn.com",
                "suchtv.pk",
                "latestly.com",
                "vimarsana.com",
                "gamernewz.com",
                "techminis.com",
                "vpncentral.com",
                "pupuweb.com",
                "particle.news",
                "otontechnology.com",
                "giganectar.com",
                "nerdyinfo.com",
                "unbiasedheadlines.com",
            }
        ),
    ),
    # Pages about something else entirely: a crime-case forum, a social-media profile viewer.
    RefusedKind(
        "is a forum or social-media page about something else; cite a source on this platform",
        frozenset({"websleuths.com", "damus.io"}),
    ),
)

# Vendors that give customers their own subdomain (vendasta.zoom.us is a Zoom customer's site, not Zoom's): only
# the vendor's own hosts under the domain are citable.
VENDOR_OWN_HOSTS: dict[str, frozenset[str]] = {
    "zoom.us": frozenset(
        {
            "zoom.us",
            "www.zoom.us",
            "support.zoom.us",
            "blog.zoom.us",
            "explore.zoom.us",
            "developers.zoom.us",
            "community.zoom.us",
            "status.zoom.us",
        }
    ),
}

# Query parameters that track who shared or clicked a link: they say nothing about the page.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid", "_hsenc", "_hsmi", "si"}
)
SHARE_CODE_PARAMETER = "s"  # ?s=20 and the like: a share code (on a site search, a search page is no source)
TRACKING_PREFIXES = ("utm_",)


def _domains(host: str) -> Iterator[str]:
    """The host and each parent domain: a.b.c, b.c, c."""
    labels = host.split(".")
    for start in range(len(labels)):
        yield ".".join(labels[start:])


def refused_kind(host: str) -> RefusedKind | None:
    for domain in _domains(host):
        for kind in REFUSED_KINDS:
            if domain in kind.hosts:
                return kind
    return None


def source_problems(url: str) -> list[str]:
    """What is wrong with `url` as a source, in words for `file: field: problem`; empty when nothing is."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    host_and_port = netloc.lower()
    host, _, port = host_and_port.partition(":") if not host_and_port.startswith("[") else (host_and_port, "", "")
    problems: list[str] = []
    if host.endswith("."):
        problems.append(f"{url!r} has a trailing dot in its host; write {host.rstrip('.')!r}")
        host = host.rstrip(".")
    if port == "443":
        problems.append(f"{url!r} names the default port :443; leave it out")
    kind = refused_kind(host)
    if kind is not None:
        problems.append(f"{url!r} {kind.problem}")
    for vendor, own in VENDOR_OWN_HOSTS.items():
        if host.endswith("." + vendor) and host not in own:
            problems.append(f"{url!r} is a customer's site under {vendor}, not the vendor's; cite the vendor's page")
    tracking = sorted(
        {
            name
            for name, _ in parse_qsl(parts.query, keep_blank_values=True)
            if name.lower() in TRACKING_PARAMETERS
            or name.lower() == SHARE_CODE_PARAMETER
            or name.lower().startswith(TRACKING_PREFIXES)
        }
    )
    if tracking:
        problems.append(f"{url!r} carries tracking or share parameters ({', '.join(tracking)}); remove them")
    return problems

