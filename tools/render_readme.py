# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the README's generated tables (make readme), so they cannot drift from their sources:

- the troubleshooting table, from the module's diagnosis table;
- each role's variables table, from its meta/argument_specs.yml;
- the per-app variables of site.yml's wsproxy_apps, from roles/common/vars/main.yml;
- the measured figures, from artifacts/figures/<name>.md as the run that measured them wrote them
  (tests/figures.py): one section figures-<name> per file.
"""

import sys
from pathlib import Path

import yaml

from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_diagnosis import troubleshooting_markdown

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- generated:{name} (make readme) -->"
END = "<!-- end:{name} -->"


def variables_markdown(role):
    spec = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())
    rows = ["| Variable | Type | Default | Meaning |", "| --- | --- | --- | --- |"]
    for name, option in spec["argument_specs"]["main"]["options"].items():
        kind = option["type"] + ("" if "choices" not in option else ": " + ", ".join(str(c) for c in option["choices"]))
        default = "(required)"
        if not option.get("required"):
            default = "`%s`" % yaml.safe_dump(option.get("default"), default_flow_style=True).strip().removesuffix("\n...")
        rows.append("| `%s` | %s | %s | %s |" % (name, kind, default.replace("|", "\\|"), option["description"].replace("|", "\\|")))
    return "\n".join(rows)


def app_keys_markdown():
    keys = yaml.safe_load((ROOT / "roles" / "common" / "vars" / "main.yml").read_text())["common_app_keys"]
    return ", ".join("`%s`" % key for key in keys) + "."


def sections():
    generated = {"troubleshooting": troubleshooting_markdown(), "app-keys": app_keys_markdown()}
    for role in sorted(p.parent.parent.name for p in ROOT.glob("roles/*/meta/argument_specs.yml")):
        generated["variables-" + role] = variables_markdown(role)
    for figure in sorted((ROOT / "artifacts" / "figures").glob("*.md")):
        generated["figures-" + figure.stem] = figure.read_text(encoding="utf-8").strip()
    return generated


def render(text):
    for name, body in sections().items():
        start, end = START.format(name=name), END.format(name=name)
        if start not in text:
            raise ValueError("README.md has no %s marker" % start)
        before, rest = text.split(start, 1)
        _old, after = rest.split(end, 1)
        text = before + start + "\n" + body + "\n" + end + after
    return text


def main():
    readme = ROOT / "README.md"
    readme.write_text(render(readme.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
