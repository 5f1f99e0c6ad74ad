"""Seed scripts are read from the seeds at run time, or reported unavailable (callers then skip)."""

import pytest

from tests import seed_scripts


def test_missing_seed_is_reported_unavailable(monkeypatch, tmp_path):
    monkeypatch.setattr(seed_scripts, 'REBOOT_IDLE_SEED', str(tmp_path / 'absent.txt'))
    with pytest.raises(seed_scripts.SeedUnavailable, match='seed 001 not found'):
        seed_scripts.reboot_idle_script('https://127.0.0.1:1')


def test_a_seed_without_the_script_is_reported_unavailable(monkeypatch, tmp_path):
    seed = tmp_path / 'seed.txt'
    seed.write_text('Python\n\nno script here\n<!--NeedCopy-->\n')
    monkeypatch.setattr(seed_scripts, 'REBOOT_IDLE_SEED', str(seed))
    with pytest.raises(seed_scripts.SeedUnavailable, match='no longer holds'):
        seed_scripts.reboot_idle_script('https://127.0.0.1:1')


@pytest.mark.skipif(not seed_scripts.os.path.exists(seed_scripts.REBOOT_IDLE_SEED), reason='seeds not beside this checkout')
def test_only_the_api_hosts_change():
    script = seed_scripts.reboot_idle_script('https://127.0.0.1:8443')
    assert script.startswith(seed_scripts.REBOOT_IDLE_START)
    assert not any(host in script for host in seed_scripts.REBOOT_IDLE_HOSTS)
    assert "'https://127.0.0.1:8443/cctrustoauth2/root/tokens/clients'" in script
    assert 'https://127.0.0.1:8443/cvadapis/' in script
