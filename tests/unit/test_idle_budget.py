"""idle_budget: Streamlit's ping against the idle timeout of nginx and of what stands in front of it."""
import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils import idle_budget as ib


@pytest.mark.parametrize("value, seconds", [("1d", 86400), ("3600s", 3600), ("90", 90), ("1h30m", 5400), ("500ms", 0.5)])
def test_nginx_times_in_seconds(value, seconds):
    assert ib.nginx_seconds(value) == seconds


@pytest.mark.parametrize("value", ["", "1 d", "d", "10x", "-5"])
def test_what_is_not_an_nginx_time_is_refused(value):
    with pytest.raises(ValueError, match="not an nginx time"):
        ib.nginx_seconds(value)


@pytest.mark.parametrize("front, seconds, lifetime", [
    ("aws_alb", 60, False), ("cloudflare", 100, False), ("gcp_lb", 30, True), (350, 350, False), ("120", 120, False),
])
def test_known_fronts_and_numbers(front, seconds, lifetime):
    budget = ib.front_budget(front)
    assert (budget["seconds"], budget["lifetime"]) == (seconds, lifetime)


@pytest.mark.parametrize("front", [None, "", 0, "0"])
def test_nothing_in_front(front):
    assert ib.front_budget(front) is None


@pytest.mark.parametrize("front, words", [("azure", "neither a number of seconds nor one of aws_alb, cloudflare, gcp_lb"),
                                          (-3, "1 second or more")])
def test_an_unknown_front_is_refused_naming_the_known_ones(front, words):
    with pytest.raises(ValueError, match=words):
        ib.front_budget(front)


@pytest.mark.parametrize("front, ping, words", [
    # The defaults behind an ALB or Cloudflare: Streamlit's 30 s ping keeps the socket.
    ("aws_alb", 30, []),
    ("cloudflare", 30, []),
    (None, 30, []),
    (0, 600, []),
    # A ping interval raised past the front's budget.
    ("aws_alb", 60, ["streamlit_websocket_ping_interval: 60 s, but the front (streamlit_front_idle_timeout: "
                     "aws_alb) closes a socket idle for 60 s: set it to 55 or less, or raise the front's timeout"]),
    (40, 40, ["set it to 35 or less"]),
    ("40", 35, []),
    # GCP's backend timeout is a lifetime: no ping helps.
    ("gcp_lb", 10, ["streamlit_front_idle_timeout: gcp_lb ends every WebSocket after 30 s, idle or not"]),
    # A front that is not one: named, whatever the ping.
    ("azure", 30, ["streamlit_front_idle_timeout: 'azure' is neither a number of seconds nor one of aws_alb"]),
    # A ping that is not a number is the common role's to name, not this check's.
    ("aws_alb", "often", []),
])
def test_a_front_that_would_cut_an_idle_socket_is_named(front, ping, words):
    problems = ib.front_problems(front, ping)
    assert len(problems) == len(words), problems
    for problem, expected in zip(problems, words):
        assert expected in problem


@pytest.mark.parametrize("proxy, ping, words", [
    ("1d", 30, []),
    ("35s", 30, []),
    ("20s", 30, ["nginx_location_proxy_timeout: 20s closes a socket idle that long, and Streamlit pings every 30 s"]),
    ("34", 30, ["keep it above 35 s"]),
    # Invalid values are named by the roles' own checks.
    ("1 day", 30, []),
    ("1d", "often", []),
])
def test_an_nginx_timeout_below_the_ping_is_named(proxy, ping, words):
    problems = ib.proxy_problems(proxy, ping)
    assert len(problems) == len(words), problems
    for problem, expected in zip(problems, words):
        assert expected in problem


@pytest.mark.parametrize("front, seconds", [("aws_alb", 65), ("cloudflare", 105), (20, 25), ("gcp_lb", 0), (0, 0),
                                            ("azure", 0)])
def test_the_check_holds_a_socket_idle_past_the_fronts_budget(front, seconds):
    assert ib.idle_hold(front) == seconds
