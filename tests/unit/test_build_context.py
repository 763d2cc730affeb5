"""build_files: what of an app's source reaches the image (.dockerignore rules)."""

import pytest

from ansible_collections.wsproxy.streamlit.plugins.filter.build_files import build_files

DEFAULTS = [".git", ".env", ".env.*", ".streamlit/secrets.toml", "**/__pycache__", "**/*.pyc", ".dockerignore"]
SOURCE = [
    "app.py", "requirements.txt", ".git/config", ".git/objects/ab/cdef", ".env", ".env.local", "environment.py",
    ".streamlit/secrets.toml", ".streamlit/config.toml", "pages/__pycache__/x.cpython-311.pyc", "__pycache__/a.pyc",
    "lib/util.pyc", "pages/1_page.py", ".dockerignore", "data/big.csv", "data/keep.csv", "notes/.env",
]


def test_the_defaults_keep_the_app_and_drop_secrets_and_history():
    assert build_files(SOURCE, DEFAULTS) == [
        "app.py", "requirements.txt", "environment.py", ".streamlit/config.toml", "pages/1_page.py",
        "data/big.csv", "data/keep.csv", "notes/.env",
    ]


@pytest.mark.parametrize(
    "ignore_file, dropped, kept",
    [
        ("data\n!data/keep.csv\n", ["data/big.csv"], ["data/keep.csv"]),
        ("# comment\n\n**/.env\n", ["notes/.env"], ["app.py"]),
        ("*.csv\n", [], ["data/big.csv"]),  # * stays in the top directory
        ("data/*.csv\n", ["data/big.csv", "data/keep.csv"], ["app.py"]),
        ("/pages/\n", ["pages/1_page.py"], ["app.py"]),
        ("p?ges\n", ["pages/1_page.py"], ["app.py"]),
    ],
)
def test_the_sources_dockerignore_adds_rules(ignore_file, dropped, kept):
    result = build_files(SOURCE, DEFAULTS, ignore_file)
    assert not set(dropped) & set(result)
    assert set(kept) <= set(result)


def test_the_last_matching_rule_wins():
    assert build_files(["a.env", "b.env"], ["*.env", "!b.env"]) == ["b.env"]
    assert build_files(["a.env", "b.env"], ["!b.env", "*.env"]) == []
