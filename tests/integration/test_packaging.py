"""Packaging: the built tarball holds no caches, venvs or benchmark output, galaxy-importer accepts
it, and the installed collection runs the demo."""

import os
import subprocess
import sys
import tarfile

import pytest

from tests.harness import ROOT, tool

FORBIDDEN_PARTS = ('.venv', '.venv-sanity', '.cache', '__pycache__', '.pytest_cache', '.hypothesis', '.git',
                   'tests/output', 'bench/results', '.ansible')


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp('dist')
    env = dict(os.environ, ANSIBLE_HOME=str(out / 'ansible-home'))
    proc = subprocess.run([tool('ansible-galaxy'), 'collection', 'build', '--output-path', str(out), ROOT],
                          capture_output=True, text=True, check=False, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    path = str(out / 'opencitrix-automation-0.1.0.tar.gz')
    assert os.path.exists(path)
    return path


def test_tarball_holds_no_caches_venvs_or_bench_output(tarball):
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    bad = [n for n in names if any(('/' + part + '/') in ('/' + n + '/') for part in FORBIDDEN_PARTS)
           or n.startswith('.venv-core-')]
    assert bad == []
    for needed in ('MANIFEST.json', 'meta/runtime.yml', 'meta/execution-environment.yml',
                   'requirements.txt', 'bindep.txt', 'plugins/modules/citrix_cloud_service_info.py',
                   'tests/simulator/demo.py', 'playbooks/demo.yml', 'extensions/ee/execution-environment.yml',
                   'plugins/plugin_utils/environment.py', 'extensions/awx/credential_types/xenmobile_target.yml',
                   'extensions/molecule/inventory.yml', 'extensions/molecule/xenmobile_migrate/molecule.yml',
                   'docs/docsite/rst/troubleshooting.rst'):
        assert needed in names, needed


def test_galaxy_importer_accepts_it(tarball, tmp_path):
    config = tmp_path / 'galaxy-importer.cfg'
    config.write_text('[galaxy-importer]\nRUN_ANSIBLE_TEST = False\nRUN_ANSIBLE_LINT = True\nRUN_FLAKE8 = False\n')
    env = dict(os.environ, GALAXY_IMPORTER_CONFIG=str(config), HOME=str(tmp_path),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''))
    proc = subprocess.run([sys.executable, '-m', 'galaxy_importer.main', tarball, '--print-result'],
                          capture_output=True, text=True, check=False, env=env, cwd=str(tmp_path))
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    # The importer logs problems as "ERROR: ..." / "WARNING: ..." lines (INFO has no prefix); the
    # JSON result it prints holds the rendered docs, where the word ERROR may well appear.
    problems = [line for line in output.splitlines() if line.startswith(('ERROR:', 'WARNING:'))]
    assert problems == [], '\n'.join(problems)


def test_installed_tarball_runs_the_demo(tarball, tmp_path):
    collections = tmp_path / 'collections'
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / 'ansible-home'))
    proc = subprocess.run([tool('ansible-galaxy'), 'collection', 'install', tarball, '-p', str(collections)],
                          capture_output=True, text=True, check=False, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = collections / 'ansible_collections' / 'opencitrix' / 'automation'
    demo = subprocess.run([sys.executable, '-m', 'tests.simulator.demo'], cwd=str(installed),
                          capture_output=True, text=True, check=False, timeout=900)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert 'Demo finished.' in demo.stdout
    assert 'failed=0' in demo.stdout


def test_ee_definition_gives_a_build_context_offline(tmp_path):
    context = tmp_path / 'context'
    proc = subprocess.run([tool('ansible-builder'), 'create', '-f',
                           os.path.join(ROOT, 'extensions', 'ee', 'execution-environment.yml'),
                           '--context', str(context), '--output-filename', 'Containerfile'],
                          capture_output=True, text=True, check=False, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    containerfile = (context / 'Containerfile').read_text()
    assert 'quay.io/centos/centos:stream9' in containerfile
    assert 'ansible-galaxy collection install' in containerfile
    assert 'introspect' in containerfile  # the collection's own requirements are read during the build
    galaxy = (context / '_build' / 'requirements.yml').read_text()
    assert 'opencitrix.automation' in galaxy


def test_builder_introspection_reads_the_collection_requirements(tarball, tmp_path):
    collections = tmp_path / 'collections'
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / 'ansible-home'))
    subprocess.run([tool('ansible-galaxy'), 'collection', 'install', tarball, '-p', str(collections)],
                   capture_output=True, check=True, env=env)
    proc = subprocess.run([tool('ansible-builder'), 'introspect', '--sanitize', str(collections)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for requirement in ('requests', 'xmltodict', 'defusedxml', 'XenAPI'):
        assert requirement in proc.stdout, proc.stdout
    assert 'opencitrix.automation' in proc.stdout
