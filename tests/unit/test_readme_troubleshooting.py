# SPDX-License-Identifier: GPL-3.0-or-later
from pathlib import Path

from tools.render_troubleshooting import END, START, render

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_troubleshooting_table_matches_the_module_diagnoses():
    text = README.read_text()
    assert START in text and END in text
    assert render(text) == text, "README troubleshooting table is stale: run `make readme`"
