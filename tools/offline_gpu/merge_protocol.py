#!/usr/bin/env python
"""Merge what a `protocol_call.sh` call brought back into the results folder here.

    python tools/offline_gpu/merge_protocol.py CALL/reports.tgz [MORE.tgz ...] [--into artifacts/reports]

Each archive holds a copy of the results folder as the call left it: the rows it appended to `results.csv` (rows
whose `arm` and `run_id` are not in the table here are appended, in order), its Optuna journal (it began as a copy of
the one here, or of the machine's last call's, and only grew: the longest archive's replaces it when it is at least as long), `logs/` (each arm's log, to
`logs/protocol_v2/`) and `runs/protocol_v2/` (run records and metrics, for the report's curves). Nothing here is
removed; an archive that is not one of these stops the merge before anything is written. Logs name no machine paths
here: a path into the repository on the GPU machine becomes relative (`bitbyte/...`), one into its installed wheels
`<site>/...`.

An arm trained again at another commit (its earlier row moved to `results_superseded.csv`, say) keeps its earlier log
and run record: they move to `superseded/COMMIT/logs/` and `superseded/COMMIT/runs/` before the new ones take their
place, so a superseded row's evidence stays beside the table.
"""
import argparse, json, re, shutil, sys, tarfile, tempfile
from pathlib import Path
import pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bitbyte.experiments.runner import append_result

def key(d): return d['run_id'].astype(str) + '|' + d['arm'].astype(str)

IN_REPO = re.compile(r'(?<![\w.~<>-])/(?:[^\s"\'/:]+/)*?(?=(?:bitbyte|tools|nbs|artifacts)/)')   # /any/root/bitbyte/x.py
IN_SITE = re.compile(r'(?<![\w.~<>-])/(?:[^\s"\'/:]+/)*(?:site-packages|dist-packages|site)/')    # /tmp/site/mamba_ssm/...

def redact(text:str) -> str:
    "`text` with the GPU machine's absolute paths into the repository made relative and those into its wheels `<site>/`."
    return IN_SITE.sub('<site>/', IN_REPO.sub('', text))

def copy_logs(src:Path, dst:Path):
    "Each log in `src` to `dst`, redacted."
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file(): (dst/f.name).write_text(redact(f.read_text(errors='replace')))

def commit_of(run_dir:Path) -> str:
    "The commit a run record in `run_dir` names ('' where there is none)."
    try: return str(json.loads((run_dir/'run.json').read_text()).get('commit') or '')
    except (OSError, ValueError): return ''

def set_aside(into:Path, runs:Path):
    "Move the log and run record of each arm in `runs` that `into` holds from another commit to `into/superseded/COMMIT/`."
    for new in (d for d in runs.iterdir() if d.is_dir()):
        old = into/'runs'/'protocol_v2'/new.name
        a, b = commit_of(old), commit_of(new)
        if not a or not b or a.startswith(b) or b.startswith(a): continue   # nothing there, or the same code: replaced in place
        keep = into/'superseded'/a[:7]
        (keep/'runs').mkdir(parents=True, exist_ok=True); shutil.move(str(old), str(keep/'runs'/new.name))
        if (log := into/'logs'/'protocol_v2'/f"{new.name}.log").exists():
            (keep/'logs').mkdir(parents=True, exist_ok=True); shutil.move(str(log), str(keep/'logs'/log.name))
        print(f"{new.name}: the record and log of commit {a[:7]} moved to {keep}")

def timing_check(table, n0:int):
    """The time-budgeted arms from row `n0` on beside the earlier arms of the same backbone, shape and dropout: their
    steps (a budget fixes them from a timing, so a change of how arms run, e.g. in one process, shows there first),
    training seconds as a share of the budget, and the seconds before and after each run."""
    t = table[(table.time_budget.fillna(0) > 0) & table.phase.isin(['sweep', 'final'])]
    cols = ['backbone', 'shape', 'dropout']
    ref = t[t.index < n0].groupby(cols).steps.median().rename('earlier_steps')
    new = t[t.index >= n0].join(ref, on=cols)
    if not len(new): return None
    return new.assign(lr=new.lr.map('{:g}'.format), budget_share=new.train_s / new.time_budget, end_s=new.arm_s - new.setup_s - new.wall_s)[
        ['corpus', 'backbone', 'phase', 'lr', 'shape', 'seed', 'steps', 'earlier_steps', 'budget_share', 'setup_s', 'compile_s', 'end_s', 'arm_s']]

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('archives', nargs='+'); p.add_argument('--into', default='artifacts/reports')
    a = p.parse_args()
    into = Path(a.into)
    if not (into/'results.csv').exists(): sys.exit(f"no results table at {into/'results.csv'}; pass --into the results folder")
    with tempfile.TemporaryDirectory() as tmp:
        folders = []
        for i, arc in enumerate(a.archives):
            if not tarfile.is_tarfile(arc): sys.exit(f"{arc} is not a tar archive; pass the reports.tgz a protocol call returned")
            with tarfile.open(arc) as t: t.extractall(Path(tmp)/str(i), filter='data')
            found = [d for d in (Path(tmp)/str(i)).iterdir() if (d/'results.csv').exists()]
            if len(found) != 1: sys.exit(f"{arc} holds no results folder (a folder with results.csv); was it made by protocol_call.sh?")
            folders.append(found[0])
        n0 = len(pd.read_csv(into/'results.csv'))
        for f in folders:
            have = set(key(pd.read_csv(into/'results.csv')))
            new = pd.read_csv(f/'results.csv'); new = new[~key(new).isin(have)]
            for row in new.to_dict('records'): append_result(row, into/'results.csv')   # as the protocol appends them
            print(f"{f.name}: {len(new)} new rows")
        table = pd.read_csv(into/'results.csv')
        js = [f/'protocol_v2.optuna.jsonl' for f in folders if (f/'protocol_v2.optuna.jsonl').exists()]
        j, mine = max(js, key=lambda x: x.stat().st_size, default=None), into/'protocol_v2.optuna.jsonl'
        if j and (not mine.exists() or j.stat().st_size >= mine.stat().st_size): shutil.copy(j, mine)   # the longest: calls chained on one machine
        for f in folders:
            if (f/'runs'/'protocol_v2').is_dir(): set_aside(into, f/'runs'/'protocol_v2')
            if (f/'logs').is_dir(): copy_logs(f/'logs', into/'logs'/'protocol_v2')
            if (f/'runs'/'protocol_v2').is_dir(): shutil.copytree(f/'runs'/'protocol_v2', into/'runs'/'protocol_v2', dirs_exist_ok=True)
        print(f"results.csv: {n0} -> {len(table)} rows; journal, logs and run records merged into {into}")
        if (check := timing_check(table, n0)) is not None:
            with pd.option_context('display.width', 200, 'display.max_columns', 20): print(check.round(3).to_string(index=False))

if __name__ == '__main__': main()
