# SPDX-License-Identifier: GPL-3.0-or-later
import pytest

from ansible_collections.wsproxy.streamlit.plugins.filter.resolved_addresses import resolved_addresses


@pytest.mark.parametrize("lines, addresses", [
    ([], []),
    (None, []),
    # getent ahosts prints each address once per socket type, the canonical name on the first line only.
    (["10.213.0.2      STREAM master.wsproxy.test", "10.213.0.2      DGRAM", "10.213.0.2      RAW"], ["10.213.0.2"]),
    # Several names (the masters), IPv6 included, in the order getent gave them.
    (["10.0.0.7 STREAM m2", "10.0.0.7 DGRAM", "10.0.0.5 STREAM m1", "fd00::5 STREAM m1", ""], ["10.0.0.7", "10.0.0.5", "fd00::5"]),
])
def test_each_address_of_getent_ahosts_once_in_order(lines, addresses):
    assert resolved_addresses(lines) == addresses
