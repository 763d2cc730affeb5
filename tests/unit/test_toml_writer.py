"""The TOML writer: what Streamlit (tomllib) reads back is exactly the data, or an error names the value."""

import tomllib

import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils.toml_writer import TomlError, dumps, problems


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"theme": {"sidebar": {"backgroundColor": "#111"}}}, id="nested-theme-section"),
        pytest.param({"server": {"cookieSecret": "s3cr\u00e9t-\U0001F600-\u2603"}}, id="emoji-non-bmp"),
        pytest.param({"server": {"corsAllowedOrigins": ["https://a.example:28443"], "port": 8501}}, id="list-int"),
        pytest.param({"db": {"pass word": "a\"b\\c\n\t\x01\x7f", "dotted.key": True, "": "empty key"}}, id="quoted-keys"),
        pytest.param({"token": "top", "db": {"user": "u"}, "api": {"x": {"y": 1.5}}}, id="top-scalars-and-tables"),
        pytest.param({"list": [{"a": 1}, {"b": [1, 2]}]}, id="inline-tables-in-arrays"),
        pytest.param({"empty": {}}, id="empty-table"),
        pytest.param({}, id="empty"),
    ],
)
def test_dumps_reads_back_unchanged(data):
    text = dumps(data)
    assert tomllib.loads(text) == data
    assert "\\ud83d" not in text.lower()  # never JSON's surrogate pairs


def test_dumps_writes_a_nested_section_as_a_table():
    assert dumps({"theme": {"sidebar": {"backgroundColor": "#111"}}}) == '[theme.sidebar]\nbackgroundColor = "#111"\n'


@pytest.mark.parametrize(
    "data, message",
    [
        ({"server": {"cookieSecret": None}}, "server.cookieSecret: is null"),
        ({"theme": {"sidebar": {"font": None}}}, "theme.sidebar.font: is null"),
        ({"a": [1, None]}, "a.[1]: is null"),
        ({"a": float("nan")}, "a: nan is not a finite number"),
        ({"a": "\ud83d"}, "a: holds a lone UTF-16 surrogate"),
        ({"a": object()}, "a: a object cannot be written"),
        ({1: "x"}, "the key 1 is not a string"),
        (["x"], "must be a mapping"),
    ],
)
def test_what_toml_cannot_hold_is_named(data, message):
    with pytest.raises(TomlError, match=message.replace("[", r"\[").replace("]", r"\]")):
        dumps(data)
    assert message in problems(data)[0]


def test_no_problems_for_valid_settings():
    assert problems({"theme": {"base": "dark"}}) == []
