"""invalid_values: a full match per item, so nothing nginx would split on slips through."""

import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils.values import invalid_values

TIME = {"name": "t", "pattern": r"[0-9]+[smhdwMy]?", "hint": "a time"}


@pytest.mark.parametrize("value", ["1d", "60", "10s"])
def test_good_values_pass(value):
    assert invalid_values([dict(TIME, value=value)]) == []


@pytest.mark.parametrize("value", ["1d\n", "1d; add_header X-Injected 1", "1d }", "", None, "1 d"])
def test_anything_nginx_would_split_on_fails_naming_the_variable(value):
    assert invalid_values([dict(TIME, value=value)]) == ["t: %r must be a time" % str(value)]


def test_each_item_of_a_list_and_each_key_of_a_dict_is_checked():
    checks = [
        {"name": "names", "value": ["a.example", "x; location /pwn {}"], "pattern": r"[a-z.]+", "hint": "names"},
        {"name": "args", "value": {"GOOD": 1, "BAD NAME": 2}, "pattern": r"[A-Z_]+", "hint": "names"},
    ]
    assert invalid_values(checks) == [
        "names: 'x; location /pwn {}' must be names",
        "args: 'BAD NAME' must be names",
    ]
