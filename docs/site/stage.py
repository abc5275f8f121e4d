"""Stage the BitByte docs site's sources into one folder for Sphinx (MyST-NB), leaving the sources untouched.

    python docs/site/stage.py _docs_src

Everything is discovered by glob at build time, so new notebooks and reports appear without edits here:

| site section | from |
|---|---|
| index        | `nbs/index.ipynb` (or README.md when it is missing) |
| Library      | `docs/architecture.md`, then `nbs/[0-9]*.ipynb` and each layer's `nbs/LAYER/[0-9]*.ipynb`, in order |
| API          | one autodoc page per `bitbyte/*.py` module with `__all__` (signatures and docstrings) |
| Experiments  | `nbs/experiments/reports/*.ipynb` (a page says so when there are none) |
| Reports      | `artifacts/reports/`: executed notebooks and `*.md` as pages, `results.csv` (and any other top-level CSV) as table pages, every file listed; weights are not published |
| Strategy     | `docs/strategy/POSITION_PAPER.md`, `EXECUTION_PLAN.md`, `BIBLIOGRAPHY.md` (+ any other `*.md` there), `references.bib` |
| Notes        | any other `docs/*.md` |

Notebooks are copied with nbdev's directives applied the way nbdev's docs apply them (`#| hide` cells and
`#| default_exp` cells dropped, `#| echo: false` hides the source, `#| output: false` the outputs, directive
comments removed); they are never executed. Nothing is written outside the staging folder.
"""
import csv, html, importlib, inspect, json, os, re, shutil, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(__file__).resolve().parent
SKIP_REPORT_FILES = {'docs_index.png', 'docs_page.png', 'docs_api_bitlinear.png'}   # the site's own screenshots (tools/screenshot_docs.sh)
MAX_COPY_BYTES = 20 * 2**20                               # larger report files are listed, not published
WEIGHT_SUFFIXES = {'.safetensors', '.pt', '.pth', '.bin', '.ckpt'}   # checkpoints are listed, not published
MAX_TABLE_ROWS = 500                                      # rows shown on a generated table page

# ---------------------------------------------------------------- notebooks

_DIRECTIVE = re.compile(r'^\s*#\s*\|\s*(.*)$')

def _directives(src: str):
    "nbdev/Quarto directives at the top of a code cell, as {name: value}, and the source without them."
    lines, ds = src.splitlines(), {}
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i])
        if not m: break
        body = m.group(1).strip()
        if ':' in body: k, v = body.split(':', 1)
        else:
            parts = body.split(None, 1); k, v = (parts[0] if parts else ''), (parts[1] if len(parts) > 1 else '')
        ds[k.strip().lower().replace('-', '_')] = v.strip().lower()
        i += 1
    return ds, '\n'.join(lines[i:]).strip('\n')

def _false(v): return v in ('false', 'no', '0')

def _title_of(cells):
    for c in cells:
        if c['cell_type'] == 'markdown':
            m = re.match(r'\s*#\s+(.+)', ''.join(c['source']))
            return m.group(1).strip() if m else None
    return None

def stage_notebook(src: Path, dst: Path, fallback_title: str):
    "Copy notebook `src` to `dst` as nbdev's docs would show it (see the module docstring)."
    nb = json.loads(src.read_text(encoding='utf-8'))
    cells = []
    for c in nb.get('cells', []):
        c = dict(c); c['source'] = ''.join(c.get('source', ''))
        if c['cell_type'] == 'raw': continue                      # front matter, export-only text
        if c['cell_type'] == 'code':
            ds, body = _directives(c['source'])
            if 'hide' in ds or 'default_exp' in ds or _false(ds.get('include', '')): continue
            md = c.setdefault('metadata', {}); tags = list(md.get('tags', []))
            if 'hide_input' in ds or _false(ds.get('echo', '')): tags.append('remove-input')
            if 'hide_output' in ds or _false(ds.get('output', '')): c['outputs'] = []
            if tags: md['tags'] = tags
            c['source'] = body
            if not body.strip() and not c.get('outputs'): continue
        cells.append(c)
    if not _title_of(cells):
        cells.insert(0, dict(cell_type='markdown', metadata={}, source=f"# {fallback_title}"))
    for i, c in enumerate(cells):
        if not c.get('id'): c['id'] = f"cell-{i}"
    nb['cells'] = cells
    md = nb.setdefault('metadata', {})
    md.setdefault('kernelspec', dict(name='python3', display_name='Python 3', language='python'))
    md.setdefault('language_info', dict(name='python'))
    nb['nbformat'], nb['nbformat_minor'] = 4, max(5, nb.get('nbformat_minor', 5))
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding='utf-8')
    return _title_of(cells)

# ---------------------------------------------------------------- helpers

def toctree(entries, caption=None, hidden=False, maxdepth=1):
    "A MyST toctree block; entries are 'doc' or ('title', 'doc')."
    opts = [f":maxdepth: {maxdepth}"]
    if caption: opts.append(f":caption: {caption}")
    if hidden: opts.append(':hidden:')
    lines = [e if isinstance(e, str) else f"{e[0]} <{e[1]}>" for e in entries]
    return "```{toctree}\n" + '\n'.join(opts) + '\n\n' + '\n'.join(lines) + "\n```\n"

def _human(n):
    for unit in ('B', 'KiB', 'MiB', 'GiB'):
        if n < 1024 or unit == 'GiB': return f"{n:.0f} {unit}" if unit == 'B' else f"{n:.1f} {unit}"
        n /= 1024

def _md_escape(s): return str(s).replace('|', '\\|')

def _doc(rel: Path) -> str: return rel.with_suffix('').as_posix()

# ---------------------------------------------------------------- sections

def stage_library(out: Path):
    entries = []
    arch = ROOT/'docs'/'architecture.md'
    if arch.exists():
        shutil.copy2(arch, out/'library'/'architecture.md'); entries.append('library/architecture')
    for nb in library_notebooks():
        rel = nb.relative_to(ROOT/'nbs')
        (out/'library'/rel).parent.mkdir(parents=True, exist_ok=True)
        stage_notebook(nb, out/'library'/rel, nb.stem)
        entries.append(f"library/{_doc(rel)}")
    return entries

LAYERS = ('blocks', 'kernels', 'models', 'training', 'experiments')   # the package's layers, bottom up

def library_notebooks() -> list[Path]:
    "The library's notebooks in reading order: the top-level ones (core), then each layer's folder, bottom up."
    nbs = sorted((ROOT/'nbs').glob('[0-9]*.ipynb'))
    for layer in LAYERS: nbs += sorted((ROOT/'nbs'/layer).glob('[0-9]*.ipynb'))
    return nbs

def stage_experiments(out: Path):
    d = out/'experiments'; d.mkdir(parents=True, exist_ok=True)
    src = ROOT/'nbs'/'experiments'/'reports'
    nbs = sorted(src.glob('*.ipynb')) if src.is_dir() else []
    for nb in nbs: stage_notebook(nb, d/nb.name, nb.stem)
    text = ["# Experiments", "",
            "Parameterized experiment notebooks from `nbs/experiments/reports/`. Each has a `parameters` cell with toy",
            "defaults (so `nbdev_test` runs it on a CPU in seconds); `bitbyte experiment NAME -p size report`",
            "runs it through papermill and saves the executed notebook to `artifacts/reports/`, which the",
            "[Reports](../reports/index.md) section publishes with its outputs. The notebooks here are shown",
            "as written, not executed.", ""]
    if nbs: text += [toctree([nb.stem for nb in nbs])]
    else: text += ["*No experiment notebooks yet.*", ""]
    (d/'index.md').write_text('\n'.join(text), encoding='utf-8')
    return ['experiments/index']

def _csv_rows(path: Path):
    with path.open(newline='', encoding='utf-8', errors='replace') as f: rows = list(csv.reader(f))
    if not rows: return [], []
    width = max(len(r) for r in rows)
    rows = [r + [''] * (width - len(r)) for r in rows]
    return rows[0], rows[1:]

def _fmt(v: str) -> str:
    "Numbers to 4 significant digits (integers as they are); anything else unchanged."
    try: x = float(v)
    except ValueError: return v
    if v.strip().lower() in ('nan', 'inf', '-inf', 'true', 'false'): return v
    return v if re.fullmatch(r'-?\d+', v.strip()) else f"{x:.4g}"

def _html_table(header, rows, max_rows=MAX_TABLE_ROWS):
    "A raw-HTML table styled like the theme's own (values are escaped, so any CSV content is safe)."
    e = html.escape
    out = ['```{raw} html', '<div class="table-wrapper docutils container">',
           '<table class="docutils align-default bitbyte-table">',
           '<thead><tr>' + ''.join(f'<th class="head">{e(h)}</th>' for h in header) + '</tr></thead>', '<tbody>']
    for r in rows[:max_rows]: out.append('<tr>' + ''.join(f'<td>{e(_fmt(v))}</td>' for v in r) + '</tr>')
    out += ['</tbody></table></div>', '```', '']
    if len(rows) > max_rows: out.insert(0, f"*First {max_rows} of {len(rows)} rows; download the file for all of them.*\n")
    return '\n'.join(out)

RESULTS_KEY = ['run_id', 'experiment', 'arm', 'device', 'family', 'params', 'quant', 'act_quant', 'seq_len', 'steps',
               'val_metric', 'val_value', 'bytes_per_s', 'peak_mem_gib', 'wall_s', 'commit']

def _results_page(csv_path: Path, dst: Path):
    header, body = _csv_rows(csv_path)
    cols = [header.index(k) for k in RESULTS_KEY if k in header]
    text = ["# Results table", "",
            "Every experiment run appends one row to `artifacts/reports/results.csv`; no number here is typed by",
            f"hand ({len(body)} run{'s' if len(body) != 1 else ''}). The autoregressive families' bits per byte (`bpb`)",
            "and the diffusion denoiser's `masked_bpb` measure different tasks and are not comparable.", "",
            f"Download: {{download}}`{csv_path.name} <{csv_path.name}>`", ""]
    if cols and body:
        text += ["## Summary", "", _html_table([header[i] for i in cols], [[r[i] for i in cols] for r in body])]
    if header:
        text += ["## Every column", "", _html_table(header, body)]
    dst.write_text('\n'.join(text), encoding='utf-8')

def _table_page(csv_path: Path, dst: Path):
    header, body = _csv_rows(csv_path)
    text = [f"# Table: {csv_path.name}", "", f"`artifacts/reports/{csv_path.name}`, {len(body)} rows.", "",
            f"Download: {{download}}`{csv_path.name} <{csv_path.name}>`", ""]
    if header: text.append(_html_table(header, body))
    dst.write_text('\n'.join(text), encoding='utf-8')

def _md_title(path: Path):
    m = re.search(r'^#\s+(.+?)\s*#*\s*$', path.read_text(encoding='utf-8', errors='replace'), re.M)
    return m.group(1).strip() if m else None

def stage_reports(out: Path):
    src, d = ROOT/'artifacts'/'reports', out/'reports'
    d.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in src.rglob('*') if p.is_file() and p.name not in SKIP_REPORT_FILES
                   and not any(part.startswith('.') for part in p.relative_to(src).parts)) if src.is_dir() else []
    generated = {'index.md', 'results.md'} | {f"table-{p.stem}.md" for p in files if p.suffix == '.csv' and p.parent == src}
    pages, tables, rows, subdirs = [], [], [], {}
    for p in files:
        rel = p.relative_to(src); size = p.stat().st_size
        if rel.as_posix() in generated: rel = rel.with_name('report-' + rel.name)
        if p.suffix.lower() in WEIGHT_SUFFIXES: status = 'not published (weights)'
        elif size > MAX_COPY_BYTES: status = 'not published (too large)'
        else:
            status = None
            dst = d/rel; dst.parent.mkdir(parents=True, exist_ok=True)
            if p.suffix == '.ipynb':
                title = stage_notebook(p, dst, p.stem)
                pages.append((f"{title} (executed)", _doc(rel))); status = f"{{doc}}`page <{_doc(rel)}>`"
            elif p.suffix == '.md':
                text = p.read_text(encoding='utf-8', errors='replace')
                title = _md_title(p)
                if not title: title = p.stem.replace('_', ' '); text = f"# {title}\n\n{text}"
                dst.write_text(text, encoding='utf-8')
                pages.append((title, _doc(rel))); status = f"{{doc}}`page <{_doc(rel)}>`"
            else:
                shutil.copy2(p, dst)
                status = f"{{download}}`download <{rel.as_posix()}>`"
                if p.suffix == '.csv' and len(rel.parts) == 1:
                    if p.name == 'results.csv': _results_page(dst, d/'results.md'); tables.insert(0, ('Results table', 'results'))
                    else:
                        _table_page(dst, d/f"table-{p.stem}.md"); tables.append((f"Table: {p.name}", f"table-{p.stem}"))
                        status += f", {{doc}}`table <table-{p.stem}>`"
                    if p.name == 'results.csv': status += ", {doc}`table <results>`"
        if len(rel.parts) == 1: rows.append((f"`{_md_escape(rel.name)}`", _human(size), status))
        else:
            n, total, pub = subdirs.get(rel.parts[0], (0, 0, 0))
            subdirs[rel.parts[0]] = (n + 1, total + size, pub + (not str(status).startswith('not published')))
    for name, (n, total, pub) in sorted(subdirs.items()):
        rows.append((f"`{_md_escape(name)}/`", _human(total), f"{n} file{'s' if n != 1 else ''}, {pub} published"))
    text = ["# Reports", "",
            "What the experiments produced, published from `artifacts/reports/` as it was when the site was built:",
            "the results table, executed experiment notebooks (with their outputs and plots) and the decision memo.",
            "Model weights are not published.", ""]
    if not files:
        text += ["*No reports yet: run an experiment (`bitbyte experiment --list`) and rebuild the site.*", ""]
    else:
        text += ["| file | size | |", "|---|---:|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows] + ['']
    if tables or pages: text += [toctree(tables + pages)]
    (d/'index.md').write_text('\n'.join(text), encoding='utf-8')
    return ['reports/index']

def stage_strategy(out: Path):
    src, d = ROOT/'docs'/'strategy', out/'strategy'
    d.mkdir(parents=True, exist_ok=True)
    order = ['POSITION_PAPER', 'EXECUTION_PLAN']
    mds = sorted(src.glob('*.md'), key=lambda p: (order.index(p.stem) if p.stem in order else len(order) + (p.stem == 'BIBLIOGRAPHY'), p.stem))
    for p in src.iterdir():
        if p.is_file(): shutil.copy2(p, d/p.name)
    if not (d/'references.bib').exists(): (d/'references.bib').write_text('', encoding='utf-8')
    return [f"strategy/{p.stem}" for p in mds]

def stage_notes(out: Path):
    entries = []
    for p in sorted((ROOT/'docs').glob('*.md')):
        if p.name == 'architecture.md': continue
        (out/'notes').mkdir(parents=True, exist_ok=True); shutil.copy2(p, out/'notes'/p.name)
        entries.append(f"notes/{p.stem}")
    return entries

def stage_api(out: Path):
    """The API reference: one page per module of the package that has `__all__`, its public names' signatures and
    docstrings rendered by autodoc (in `__all__`'s order), linked to the notebook with their examples and tests."""
    d = out/'api'; d.mkdir(parents=True, exist_ok=True)
    mods = []
    for py in sorted((ROOT/'bitbyte').rglob('*.py')):
        if py.name.startswith('_'): continue
        text = py.read_text(encoding='utf-8')
        if not re.search(r'^__all__\s*=', text, re.M): continue
        nb = re.search(r'File to edit: (?:\.\./)+nbs/([\w./-]+)\.ipynb', text)
        mod = 'bitbyte.' + '.'.join(py.relative_to(ROOT/'bitbyte').with_suffix('').parts)
        lines = [f"# `{mod}`", ""]
        if nb: lines += [f"Examples, tests and the reasoning behind each name: [the `{nb.group(1)}` notebook](../library/{nb.group(1)}.ipynb).", ""]
        lines += ["```{eval-rst}", f".. automodule:: {mod}", "   :members:", "   :undoc-members:", "   :show-inheritance:",
                  "   :member-order: bysource", ""]
        # autodoc's automodule skips module-level values without a doc comment: list __all__'s constants explicitly
        m = importlib.import_module(mod)
        for name in getattr(m, '__all__', []):
            v = getattr(m, name, None)
            if inspect.isclass(v) or inspect.isroutine(v) or hasattr(v, '__wrapped__'): continue   # automodule has these
            if callable(v):   # e.g. a torch custom op: its signature and its own docstring
                try: sig = str(inspect.signature(v))
                except (TypeError, ValueError): sig = '(...)'
                doc = (getattr(v, '__doc__', None) or '') if getattr(v, '__doc__', None) != type(v).__doc__ else ''
                lines += [f".. py:function:: {name}{sig}", f"   :module: {mod}", ""]
                lines += [f"   {l}" for l in inspect.cleandoc(doc).splitlines()] + [""]
                continue
            r = ' '.join(repr(v).split())
            lines += [f".. py:data:: {name}", f"   :module: {mod}", f"   :value: {r if len(r) <= 160 else r[:157] + '...'}", ""]
        lines += ["```", ""]
        (d/f"{mod}.md").write_text('\n'.join(lines), encoding='utf-8')
        mods.append(mod)
    text = ["# API reference", "",
            "Every public name of the `bitbyte` package (each module's `__all__`): signatures and docstrings, generated",
            "from the installed package when the site is built. The notebooks in the Library section hold the examples",
            "with their outputs and the tests.", "", toctree(mods)]
    (d/'index.md').write_text('\n'.join(text), encoding='utf-8')
    return ['api/index']

def stage_index(out: Path, sections):
    tocs = '\n'.join(toctree(entries, caption=cap, hidden=True, maxdepth=2) for cap, entries in sections if entries)
    idx = ROOT/'nbs'/'index.ipynb'
    if idx.exists():
        stage_notebook(idx, out/'index.ipynb', 'BitByte')
        nb = json.loads((out/'index.ipynb').read_text(encoding='utf-8'))
        nb['cells'].append(dict(cell_type='markdown', id='site-sections', metadata={}, source=_index_sections(sections) + '\n' + tocs))
        (out/'index.ipynb').write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding='utf-8')
    else:
        readme = (ROOT/'README.md').read_text(encoding='utf-8') if (ROOT/'README.md').exists() else '# BitByte\n'
        readme = re.sub(r'<!--.*?-->\s*', '', readme, flags=re.S)
        (out/'index.md').write_text(readme + '\n\n' + _index_sections(sections) + '\n' + tocs, encoding='utf-8')

def _index_sections(sections):
    blurb = {'Library': "the package, one notebook per module, in the order data flows through it",
             'Experiments': "the papermill experiment notebooks, as written",
             'Reports': "executed experiments, the results table and the decision memo",
             'Strategy': "the position paper, the six-week plan and the bibliography",
             'Notes': "other project notes"}
    lines = ["## This site", ""]
    for cap, entries in sections:
        if entries: lines.append(f"- **{{doc}}`{cap} </{entries[0]}>`**: {blurb.get(cap, '')}")
    return '\n'.join(lines) + '\n'

def main(out='_docs_src'):
    out = Path(out)
    if not out.is_absolute(): out = Path.cwd()/out
    if out.resolve() in (ROOT.resolve(), (ROOT/'docs').resolve(), (ROOT/'nbs').resolve()):
        sys.exit(f"refusing to stage into {out}")
    if out.exists(): shutil.rmtree(out)
    (out/'library').mkdir(parents=True)
    shutil.copy2(SITE/'conf.py', out/'conf.py')
    shutil.copytree(SITE/'_static', out/'_static')
    sections = [('Library', stage_library(out)), ('API', stage_api(out)), ('Experiments', stage_experiments(out)),
                ('Reports', stage_reports(out)), ('Strategy', stage_strategy(out)), ('Notes', stage_notes(out))]
    stage_index(out, sections)
    n = sum(len(e) for _, e in sections)
    print(f"staged {n} top-level pages into {out}: " + ', '.join(f"{c} {len(e)}" for c, e in sections), file=sys.stderr)

if __name__ == '__main__':
    main(*sys.argv[1:2])
