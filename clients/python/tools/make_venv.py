"""
Makes clients/python/.venv with the build and test tools of requirements-dev.txt, from pip's
configured index (a machine with only a local index gets it first, so no lookup waits on an
index it cannot reach). Does nothing when the venv already has this requirements file's tools.
A tool the index lacks fails here, loudly: the tests never run without their tools.
"""

import hashlib
import os
import subprocess
import sys
import venv

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(HERE, ".venv")
REQUIREMENTS = os.path.join(HERE, "requirements-dev.txt")
STAMP = os.path.join(VENV, "requirements.sha256")
PYTHON = os.path.join(VENV, "bin", "python")


def configured(key: str) -> list:
    """A pip setting (every scope), split into its values."""
    for scope in ("global", "user", "site"):
        run = subprocess.run(
            [PYTHON, "-m", "pip", "config", "get", f"{scope}.{key}"], capture_output=True, text=True, check=False
        )
        if run.returncode == 0 and run.stdout.strip():
            return run.stdout.split()
    value = os.environ.get("PIP_" + key.upper().replace("-", "_"), "")
    return value.split()


def index_args() -> list:
    if configured("index-url"):
        return []
    extra = configured("extra-index-url")
    if not extra:
        return []
    # Only extra indexes are set (the default index may be unreachable): the first one leads.
    return ["--index-url", extra[0], *[arg for url in extra[1:] for arg in ("--extra-index-url", url)]]


def main() -> int:
    with open(REQUIREMENTS, "rb") as file:
        digest = hashlib.sha256(file.read()).hexdigest()
    if os.path.exists(STAMP) and os.path.exists(PYTHON):
        with open(STAMP) as file:
            if file.read().strip() == digest:
                return 0
    print(f"making {VENV} ({sys.executable})", flush=True)
    venv.EnvBuilder(clear=True, with_pip=True).create(VENV)
    install = [PYTHON, "-m", "pip", "install", "-qq", *index_args(), "-r", REQUIREMENTS]
    if subprocess.run(install, check=False).returncode != 0:
        print("pip could not install the Python client's build and test tools (see above)", file=sys.stderr)
        return 1
    with open(STAMP, "w") as file:
        file.write(digest + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
