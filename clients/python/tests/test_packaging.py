"""A new user's path: pip install the package, start a node with the CLI, run the quick start."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

from conftest import ROOT

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK_START = textwrap.dedent(
    """
    import os, packice
    assert packice.__file__.startswith(os.environ["VENV"]), packice.__file__
    with packice.connect() as client:
        info = client.put(b"hello", object_id="greeting")
        with client.acquire("read", "greeting") as lease:
            print(bytes(lease.map()).decode(), info.size, client.storage, client.transport)
    """
)


def test_the_wheel_installs_into_a_clean_venv_and_the_quick_start_runs() -> None:
    wheels = glob.glob(os.path.join(HERE, "dist", "packice-*.whl"))
    assert len(wheels) == 1, "the build target makes one wheel in dist/"
    work = tempfile.mkdtemp(prefix="packice-py-install-")
    venv = os.path.join(work, "venv")
    runtime = os.path.join(work, "runtime")
    env = {**os.environ, "XDG_RUNTIME_DIR": runtime, "VENV": venv}
    env.pop("PYTHONPATH", None)
    cli = os.path.join(ROOT, "node_modules", ".bin", "packice")
    try:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
        pip = [sys.executable, "-m", "pip", "--python", os.path.join(venv, "bin", "python")]
        subprocess.run([*pip, "install", "-qq", "--no-index", "--no-deps", wheels[0]], check=True, env=env)
        subprocess.run([cli, "node", "start", "--detach"], check=True, env=env, capture_output=True, cwd=work)
        try:
            run = subprocess.run(
                [os.path.join(venv, "bin", "python"), "-c", QUICK_START],
                env=env,
                capture_output=True,
                text=True,
                cwd=work,
                timeout=60,
                check=False,
            )
            assert run.returncode == 0, run.stderr
            assert run.stdout.split() == ["hello", "5", "mem", "uds"]
        finally:
            subprocess.run([cli, "node", "stop"], check=True, env=env, capture_output=True, cwd=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
