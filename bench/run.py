"""``python -m bench.run [--quick] [--only NAME ...]``: run the benchmark scenarios against the
simulator, print a table, write bench/results/latest.json, and exit 1 if a count exceeds its bound
(or, in full mode, a ratio misses its goal)."""

import argparse
import json
import os
import platform
import sys
import time

from bench import scenarios
from bench.common import Context, Skipped

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results')


def fmt(value):
    if value is None:
        return '-'
    if isinstance(value, float):
        return '%.3g' % value if value < 100 else '%.0f' % value
    return str(value)


def verdict(metric, quick):
    """'yes', 'NO', or '-' for a ratio goal in quick mode (small sizes do not show fleet-scale ratios)."""
    if not metric.within_bound:
        return 'NO'
    if not metric.meets_goal:
        return '-' if quick else 'NO'
    return 'yes'


def table(metrics, quick=False):
    rows = [('scenario', 'metric', 'value', 'baseline', 'ratio', 'bound/goal', 'ok')]
    for m in metrics:
        limit = ('<= %s' % fmt(m.bound)) if m.bound is not None else (('>= %sx' % fmt(m.goal)) if m.goal else '')
        rows.append((m.scenario, m.name, '%s %s' % (fmt(m.value), m.unit), fmt(m.baseline),
                     ('%.1fx' % m.ratio) if m.ratio else '-', limit, verdict(m, quick)))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ['  '.join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, '  '.join('-' * w for w in widths))
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m bench.run', description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='small sizes; fail only on request-count bounds')
    parser.add_argument('--only', nargs='*', help='scenario names to run')
    parser.add_argument('--output', default=os.path.join(RESULTS, 'latest.json'))
    args = parser.parse_args(argv)

    ctx = Context(quick=args.quick)
    metrics = []
    skipped = []
    started = time.time()
    try:
        for module in scenarios.load():
            if args.only and module.NAME not in args.only:
                continue
            print('== %s: %s' % (module.NAME, module.DESCRIPTION), flush=True)
            t0 = time.perf_counter()
            try:
                found = module.run(ctx)
            except Skipped as exc:
                print('   skipped: %s' % exc, flush=True)
                skipped.append({'scenario': module.NAME, 'reason': str(exc)})
                continue
            for metric in found:
                versus = (' (baseline %s, %.1fx)' % (fmt(metric.baseline), metric.ratio)) if metric.ratio else ''
                note = ' - %s' % metric.note if metric.note else ''
                print('   %s = %s %s%s%s' % (metric.name, fmt(metric.value), metric.unit, versus, note), flush=True)
            print('   (%.1fs)' % (time.perf_counter() - t0), flush=True)
            metrics.extend(found)
    finally:
        ctx.close()

    print()
    print(table(metrics, args.quick))
    for entry in skipped:
        print('skipped %(scenario)s: %(reason)s' % entry)
    failed = [m for m in metrics if not m.within_bound or (not args.quick and not m.meets_goal)]
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, 'w') as handle:
        json.dump({'mode': 'quick' if args.quick else 'full', 'started': started,
                   'seconds': round(time.time() - started, 1), 'python': platform.python_version(),
                   'cpus': os.cpu_count(), 'metrics': [m.as_dict() for m in metrics], 'skipped': skipped},
                  handle, indent=2)
    print('\nwrote %s (%.0fs)' % (args.output, time.time() - started))
    if failed:
        print('FAILED: %s' % ', '.join('%s/%s' % (m.scenario, m.name) for m in failed))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
