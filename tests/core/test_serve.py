"""`claimory serve` refuses a configuration where a Host header could steer links."""

import pytest
from django.core.management import CommandError, call_command

from claimory.core.management.commands.serve import config_problems


@pytest.fixture
def production(monkeypatch, settings):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    settings.BASE_URL = "https://portal.northside.test"
    settings.ALLOWED_HOSTS = ["portal.northside.test"]
    return settings


def test_a_complete_configuration_starts(production):
    assert config_problems(behind_proxy=False) == []


def test_no_base_url_is_refused(production):
    production.BASE_URL = ""
    (problem,) = config_problems(behind_proxy=False)
    assert "CLAIMORY_BASE_URL" in problem


@pytest.mark.parametrize("hosts", [["*"], [], ["portal.northside.test", "*"]])
def test_wildcard_or_empty_hosts_are_refused(production, hosts):
    production.ALLOWED_HOSTS = hosts
    (problem,) = config_problems(behind_proxy=False)
    assert "CLAIMORY_ALLOWED_HOSTS" in problem


def test_behind_a_named_proxy_the_host_list_may_stay_open(production):
    production.ALLOWED_HOSTS = ["*"]
    production.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert config_problems(behind_proxy=True) == []


def test_behind_a_proxy_the_base_url_is_still_required(production):
    production.BASE_URL = ""
    production.TRUSTED_PROXIES = ["10.0.0.0/8"]
    (problem,) = config_problems(behind_proxy=True)
    assert "CLAIMORY_BASE_URL" in problem


def test_behind_an_unnamed_proxy_is_refused(production):
    production.TRUSTED_PROXIES = []
    (problem,) = config_problems(behind_proxy=True)
    assert "CLAIMORY_TRUSTED_PROXIES" in problem


def test_secret_key_is_always_needed(production, monkeypatch):
    monkeypatch.delenv("SECRET_KEY")
    assert any("SECRET_KEY" in p for p in config_problems(behind_proxy=True))


def test_the_command_stops_with_every_problem(production, monkeypatch):
    production.BASE_URL = ""
    production.ALLOWED_HOSTS = ["*"]
    started = []
    monkeypatch.setattr("claimory.core.server.run_uvicorn", lambda **kw: started.append(kw))
    with pytest.raises(CommandError) as refused:
        call_command("serve")
    assert "CLAIMORY_BASE_URL" in str(refused.value)
    assert "CLAIMORY_ALLOWED_HOSTS" in str(refused.value)
    assert started == []


def test_behind_a_named_proxy_it_starts(production, monkeypatch):
    production.ALLOWED_HOSTS = ["*"]
    production.TRUSTED_PROXIES = ["10.0.0.1"]
    started = []
    monkeypatch.setattr("claimory.core.server.run_uvicorn", lambda **kw: started.append(kw))
    monkeypatch.setattr("claimory.core.static.collect", lambda: None)
    call_command("serve", "--behind-proxy", "--port", "8123", "--workers", "1")
    assert started == [{"host": "127.0.0.1", "port": 8123, "workers": 1}]
