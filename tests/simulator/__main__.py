"""Command line: ``python -m tests.simulator --port 0 --tls --size 1000 --latency-ms 20``.

Prints one JSON line saying where it listens (URL, CA file, admin path), then serves until
interrupted (SIGINT/SIGTERM). ``--env-file`` also writes the environment that reaches it (every
service's ``client_env()``), as ``export NAME='value'`` lines for a shell to source, so playbooks,
molecule or ansible-inventory started elsewhere can use it.
"""

import argparse
import json
import os
import shlex
import signal
import sys
import threading

from tests.simulator.core import Simulator


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tests.simulator', description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0, help='0 picks a free port')
    parser.add_argument('--tls', dest='tls', action='store_true', default=True, help='serve HTTPS (default)')
    parser.add_argument('--no-tls', dest='tls', action='store_false', help='serve plain HTTP')
    parser.add_argument('--size', type=int, default=100, help='scale of the seeded estate (e.g. DaaS machines)')
    parser.add_argument('--latency-ms', type=float, default=0.0, help='added to every request')
    parser.add_argument('--time-scale', type=float, default=1.0, help='simulator seconds per real second')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--config', help='JSON object of per-service settings, e.g. {"cloud": {"client_id": "x"}}')
    parser.add_argument('--info-file', help='also write the startup JSON to this file')
    parser.add_argument('--env-file', help='also write the client environment to this file (shell export lines)')
    parser.add_argument('--workdir', help='directory for the CA file (default: a new temporary directory)')
    return parser.parse_args(argv)


def environment_lines(sim):
    """``export NAME='value'`` lines: the services' client environment, plus ``OPENCITRIX_SIM_URL`` and
    ``OPENCITRIX_SIM_ADMIN`` (the admin API, for set-up and checks) and ``OPENCITRIX_SIM_CA_PATH``."""
    env = dict(sim.client_env(), OPENCITRIX_SIM_URL=sim.url, OPENCITRIX_SIM_ADMIN=sim.info()['admin'],
               OPENCITRIX_SIM_CA_PATH=sim.ca_path or '')
    return ''.join('export %s=%s\n' % (name, shlex.quote(str(value))) for name, value in sorted(env.items()))


def write_atomically(path, text):
    """Readers that poll for the file never see half of it."""
    partial = path + '.partial'
    with open(partial, 'w') as handle:
        handle.write(text)
    os.replace(partial, path)


def main(argv=None):
    args = parse_args(argv)
    config = json.loads(args.config) if args.config else {}
    sim = Simulator(size=args.size, latency_ms=args.latency_ms, tls=args.tls, time_scale=args.time_scale,
                    seed=args.seed, host=args.host, port=args.port, config=config,
                    workdir=args.workdir)
    sim.start()
    info = json.dumps(sim.info())
    if args.info_file:
        write_atomically(args.info_file, info + '\n')
    if args.env_file:
        write_atomically(args.env_file, environment_lines(sim))
    print(info, flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    sim.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
