"""`sites` (set rule): the same process compared across sites (first folders that look like sites, or configured `sites`).

Documents outside every site (directly under the scanned folder, or not matching the
configured pattern) are shared: they cover a requirement for every site.

PASS: every site has a complaint procedure and cites ISO 14971:2019.
FAIL: site "berlin" lacks the internal-audit procedure the other sites have; sites cite
ISO 14971:2019 and ISO 14971:2007.

Options:
  check: missing-procedure  a requirement covered at other sites but not at this one
         editions           sites citing different editions of one standard
         obsolete-references a site still carrying superseded citations others have cleaned up
Runs only when the set has two sites or more.
Message may use {site} {others} {topic} {clause} {standard} {editions} {count}.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from doccheck.engine.rule import Rule
from doccheck.engine.setcontext import SetContext, SetHit
from doccheck.model import Location

SET = True
CHECKS = ("missing-procedure", "editions", "obsolete-references")


@dataclass(frozen=True)
class Options:
    check: str = "missing-procedure"

    def validate(self) -> list[tuple[str, str]]:
        return [] if self.check in CHECKS else [("check", f"unknown check '{self.check}' (choose from {', '.join(CHECKS)})")]


def _site_root(ctx: SetContext, site: str) -> str:
    return next((p.rsplit("/", 1)[0] for p in ctx.sites if ctx.sites[p] == site and "/" in p), site)


def check_set(ctx: SetContext, rule: Rule) -> Iterator[SetHit]:
    options: Options = rule.options
    # NOTE: "." is no site: documents shared by every site; listed once for the set's site rules
    sites = ctx.shared("sites.names", lambda: sorted(set(ctx.sites.values()) - {"."}))
    if len(sites) < 2:
        return
    if options.check == "missing-procedure":
        for row in ctx.rows:
            covered: set[str] = set()
            for path in row.cells:  # NOTE: stops once every site is seen: a common requirement has thousands of cells
                covered.add(ctx.sites[path])
                if "." in covered or len(covered) == len(sites):
                    break  # a shared document covers it for every site
            if not covered or "." in covered or row.not_applicable is not None:
                continue
            for site in sites:
                if site not in covered:
                    values = {"site": site, "others": ", ".join(sorted(covered)), "topic": row.requirement["topic"], "clause": row.requirement["clause"]}
                    yield SetHit(_site_root(ctx, site), Location("properties"), values=values)
    elif options.check == "editions":
        cited: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for path, facts in ctx.documents:
            if ctx.sites[path] == ".":
                continue
            for number, edition in facts.editions.items():
                cited[number][edition].add(ctx.sites[path])
        for number, editions in sorted(cited.items()):
            if len(editions) > 1:
                listing = "; ".join(f"{e} at {', '.join(sorted(s))}" for e, s in sorted(editions.items()))
                yield SetHit(ctx.root, Location("properties"), values={"standard": number, "editions": listing})
    else:
        counts: dict[str, int] = defaultdict(int)
        for path, facts in ctx.documents:
            if ctx.sites[path] != ".":
                counts[ctx.sites[path]] += facts.superseded_citations
        cleanest = min(counts.values(), default=0)
        for site in sites:
            if counts[site] > cleanest:
                others = ", ".join(f"{s}: {counts[s]}" for s in sites if s != site)
                yield SetHit(_site_root(ctx, site), Location("properties"), values={"site": site, "count": counts[site], "others": others})
