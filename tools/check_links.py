"""Check the internal links of a built HTML site: every relative href/src must name a file that exists.

    python tools/check_links.py _site

Parses every .html file under the folder with the standard library's HTMLParser and resolves each
relative `href`/`src` (a, link, img, script, source, iframe, ...) against the page. Fragments are checked
too: `page.html#x` needs an element with id (or anchor name) `x` in page.html. External links (any URL with
a scheme such as http:, https:, mailto:, data:, or starting with //) are skipped: no network is used.
Exits 1 and lists every broken link when any is found.
"""
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.ids = [], set()
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if v is None: continue
            if k == 'id' or (k == 'name' and tag == 'a'): self.ids.add(v)
            elif k in ('href', 'src', 'poster') or (k == 'data' and tag == 'object'): self.links.append((tag, k, v))
            elif k == 'srcset':
                self.links += [(tag, k, part.strip().split()[0]) for part in v.split(',') if part.strip()]
    handle_startendtag = handle_starttag

def _parse(path: Path) -> _Page:
    p = _Page(); p.feed(path.read_text(encoding='utf-8', errors='replace')); p.close()
    return p

def check(site: Path):
    site = site.resolve()
    pages = {p.resolve(): _parse(p) for p in sorted(site.rglob('*.html'))}
    broken, n = [], 0
    for page, parsed in pages.items():
        for tag, attr, url in parsed.links:
            url = url.strip()
            if not url or url.startswith(('//', 'javascript:')): continue
            parts = urlsplit(url)
            if parts.scheme or parts.netloc: continue          # external: not checked (offline)
            n += 1
            if not parts.path:                                  # same-page fragment
                target = page
            else:
                target = (page.parent/unquote(parts.path)).resolve()
                if parts.path.endswith('/') or target.is_dir(): target = target/'index.html'
                if not target.exists():
                    broken.append((page, url, 'missing file')); continue
                try: target.relative_to(site)
                except ValueError:
                    broken.append((page, url, 'outside the site')); continue
            frag = unquote(parts.fragment)
            if frag and target.suffix == '.html':
                ids = pages[target].ids if target in pages else _parse(target).ids
                if frag not in ids: broken.append((page, url, f"no anchor #{frag}"))
    return len(pages), n, broken

def main(site='_site'):
    site = Path(site)
    if not (site/'index.html').exists(): sys.exit(f"check_links: no {site}/index.html; build the site first")
    n_pages, n_links, broken = check(site)
    for page, url, why in broken: print(f"{page.relative_to(site.resolve())}: {url} ({why})", file=sys.stderr)
    print(f"check_links: {n_pages} pages, {n_links} internal links, {len(broken)} broken", file=sys.stderr)
    sys.exit(1 if broken else 0)

if __name__ == '__main__':
    main(*sys.argv[1:2])
