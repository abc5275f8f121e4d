"""Run every notebook's tests one after the other in ONE process, in an order other than nbdev_test's.

nbdev_test sorts the notebooks and spreads them over workers, so a test that passes only after (or only without)
some other notebook in the same process goes unnoticed. This runs them all in one process, reversed or shuffled,
with nbdev_test's skip flags (settings.ini `tst_flags`). CI runs it after the README's test command:

    python tools/test_order.py                  # reversed
    python tools/test_order.py --shuffle 3      # shuffled with seed 3
"""
import argparse, faulthandler, random, sys, time
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import test_nb
from fastcore.xtras import working_directory
from pathlib import Path

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--shuffle', type=int, default=None, metavar='SEED', help='shuffle with this seed instead of reversing')
    p.add_argument('notebooks', nargs='*', help='only these notebooks, in this order (default: all, reversed)')
    a = p.parse_args()
    faulthandler.enable()   # a crash in native code (torch, triton) prints the Python stack of every thread
    cfg = get_config()
    if a.notebooks: files = [Path(f).absolute() for f in a.notebooks]
    else:
        files = sorted(f.absolute() for f in nbglob(as_path=True))
        if a.shuffle is None: files.reverse()
        else: random.Random(a.shuffle).shuffle(files)
    print('order:', ' '.join(f.relative_to(cfg.nbs_path.absolute()).as_posix() for f in files), flush=True)
    failed, t0 = [], time.time()
    with working_directory(cfg.nbs_path):
        for f in files:
            ok, secs = test_nb(f, skip_flags=cfg.tst_flags.split(), basepath=cfg.config_path)
            print(f"{'ok  ' if ok else 'FAIL'} {f.name} {secs:.0f}s", flush=True)
            if not ok: failed.append(f.name)
    print(f"{len(files) - len(failed)}/{len(files)} notebooks passed in one process in {time.time() - t0:.0f}s")
    if failed: sys.exit('failed: ' + ' '.join(failed))

if __name__ == '__main__': main()
