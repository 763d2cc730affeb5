# SPDX-License-Identifier: GPL-3.0-or-later
"""Figure files: what a run measured, written under artifacts/figures/ for `make readme`.

Every figure the README shows comes from one of these files, and each file says which run wrote it,
when, from which commit and on which machine. The files are committed with the README they fill in;
tests/unit/test_readme_generated.py fails when the two differ.
"""
import os
import platform
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = Path(os.environ.get("WSPROXY_ARTIFACTS", ROOT / "artifacts")) / "figures"


def table(header, rows):
    """A Markdown table; `|` inside a cell is escaped."""
    def line(cells):
        return "| %s |" % " | ".join(str(cell).replace("|", "\\|").replace("\n", " ") for cell in cells)
    return "\n".join([line(header), line(["---"] * len(header))] + [line(row) for row in rows])


def _output(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False, cwd=ROOT, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def commit():
    """The commit the run measured, with '+changes' when the tree differed from it (figures excluded)."""
    head = _output("git", "rev-parse", "--short=10", "HEAD") or "unknown"
    changed = _output("git", "status", "--porcelain", "--", ".", ":!artifacts")
    return head + ("+changes" if changed else "")


def machine():
    """'2 cores, 24 GiB, Debian GNU/Linux 12 (bookworm), Docker 20.10.24': the machine the run measured on."""
    memory = 0
    with open("/proc/meminfo", encoding="utf-8") as handle:
        for row in handle:
            if row.startswith("MemTotal:"):
                memory = int(row.split()[1]) / 1024 / 1024
    system = platform.system()
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release", encoding="utf-8") as handle:
            fields = dict(row.rstrip("\n").split("=", 1) for row in handle if "=" in row)
        system = fields.get("PRETTY_NAME", system).strip('"')
    docker = _output("docker", "version", "--format", "{{.Server.Version}}")
    return "%d cores, %.0f GiB, %s%s" % (os.cpu_count() or 0, memory, system, (", Docker " + docker) if docker else "")


def nginx_version(node=None):
    """The nginx of this machine, or of a lab node (its container's name), as `nginx -v` names it (1.22.1)."""
    try:
        said = subprocess.run((["docker", "exec", node] if node else []) + ["nginx", "-v"],
                              capture_output=True, text=True, check=False, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return "none"
    return said.strip().rpartition("/")[2] or "unknown"


def package_version(name):
    """A Python package's version in this interpreter (streamlit, websockets)."""
    from importlib import metadata  # pylint: disable=import-outside-toplevel
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def stamp(source):
    """The line every figure file starts with."""
    return "Measured by `%s` on %s, commit `%s`, on %s." % (
        source, time.strftime("%Y-%m-%d", time.gmtime()), commit(), machine())


def write(name, source, body):
    """artifacts/figures/<name>.md: the stamp, then body (Markdown). Returns the path."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    path = FIGURES / (name + ".md")
    path.write_text(stamp(source) + "\n\n" + body.strip() + "\n", encoding="utf-8")
    return path
