# SPDX-License-Identifier: GPL-3.0-or-later
from pathlib import Path

from tools.render_readme import render, sections

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_tables_match_their_sources():
    text = README.read_text()
    assert render(text) == text, "README tables are stale: run `make readme`"


def test_every_role_has_a_variables_table():
    assert "variables-container" in sections()
