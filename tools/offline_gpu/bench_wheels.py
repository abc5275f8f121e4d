"""Make `.whl_bench/`: the mamba-ssm and causal-conv1d wheels from `.whl/`, small enough to travel together.
The device tool carries 64 MiB with the working tree; the two wheels as built take 66 MB. Their extension modules
lose their symbol tables (`strip --strip-unneeded`: the CUDA code and the exported symbols Python loads stay) and
the wheels are recompressed at the highest level: about 60 MB. Carry `.whl_bench` for speed calls that need the
fused Mamba-2 path, and install with `pip install --no-index --no-deps --target "$SITE" .whl_bench/*.whl`.
usage (repo root): python3 tools/offline_gpu/bench_wheels.py [WHEEL ...]   (default: the two wheels in .whl/; a wheel setup.sh
built comes back in parts: `cat NAME.whl.part-* > NAME.whl`. Keep .whl itself under 64 MiB for the papermill calls.)"""
import glob, os, shutil, subprocess, sys, tempfile, zipfile

def slim(src:str, dst:str):
    "`src` rewritten to `dst` with every `.so` stripped and every member deflated at level 9."
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as zo:
        for it in zi.infolist():
            data = zi.read(it.filename)
            if it.filename.endswith('.so'):
                so = os.path.join(tmp, 'x.so'); open(so, 'wb').write(data)
                subprocess.run(['strip', '--strip-unneeded', so], check=True); data = open(so, 'rb').read()
            zo.writestr(it, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)

def main():
    wheels = sys.argv[1:] or [w for pkg in ('mamba_ssm', 'causal_conv1d') for w in glob.glob(f'.whl/{pkg}-*.whl')]
    if not all(any(os.path.basename(w).startswith(pkg + '-') for w in wheels) for pkg in ('mamba_ssm', 'causal_conv1d')):
        sys.exit("bench_wheels: give the mamba_ssm and the causal_conv1d wheel (setup.sh BUILD_MAMBA=1 sends built ones back "
                 "in $OUT/wheels; `cat NAME.whl.part-* > NAME.whl` joins one)")
    os.makedirs('.whl_bench', exist_ok=True)
    for w in wheels:
        dst = os.path.join('.whl_bench', os.path.basename(w)); slim(w, dst)
        print(f"{dst}: {os.path.getsize(w) / 1e6:.1f} MB -> {os.path.getsize(dst) / 1e6:.1f} MB")

if __name__ == '__main__': main()
