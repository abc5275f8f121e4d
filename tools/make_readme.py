"""Render README.md from nbs/index.ipynb without Quarto (which cannot be installed here).

nbdev_readme needs Quarto; this writes the same content as plain Markdown: markdown cells as they are,
code cells fenced, nbdev directives dropped. Run it after editing nbs/index.ipynb (CI checks it ran)."""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
nb = json.loads((root/'nbs'/'index.ipynb').read_text())
parts = []
for c in nb['cells']:
    src = ''.join(c['source']).strip()
    if c['cell_type'] == 'code':
        src = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
        if src: parts.append(f"```python\n{src}\n```")
    elif src: parts.append(src)
out = "<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n" + "\n\n".join(parts) + "\n"
(root/'README.md').write_text(out)
print(f"wrote README.md ({len(out)} chars)", file=sys.stderr)
