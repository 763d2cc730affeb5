"""public_origins: the Origin header exactly as a browser writes it."""

import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils.origins import public_origins


@pytest.mark.parametrize(
    "raw, origin, host, port, default_port",
    [
        ("https://apps.example.com", "https://apps.example.com", "apps.example.com", 443, True),
        ("HTTPS://Apps.Example.COM:443", "https://apps.example.com", "apps.example.com", 443, True),
        ("http://apps.example.com:80", "http://apps.example.com", "apps.example.com", 80, True),
        ("https://analytics.example.test:28443", "https://analytics.example.test:28443", "analytics.example.test", 28443, False),
        ("http://localhost:8080", "http://localhost:8080", "localhost", 8080, False),
        ("https://apps.example.com:80", "https://apps.example.com:80", "apps.example.com", 80, False),
    ],
)
def test_normalises_like_a_browser(raw, origin, host, port, default_port):
    (item,) = public_origins([raw])
    assert item == {"origin": origin, "scheme": raw.split(":")[0].lower(), "host": host, "port": port, "default_port": default_port}


def test_duplicates_after_normalising_are_dropped_in_order():
    result = public_origins(["https://b.example:443", "https://a.example", "https://B.example"])
    assert [o["origin"] for o in result] == ["https://b.example", "https://a.example"]
