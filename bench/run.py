#!/usr/bin/env python3
"""Runs the floor (raw WebKitGTK) and Keel side by side: `make bench`.

Usage: run.py BUILD_DIR [--rounds N] [--only MEASURE,...]

Needs a display (DISPLAY or WAYLAND_DISPLAY) and a session bus; the Makefile
runs it under xvfb-run and dbus-run-session. Builds nothing: BUILD_DIR must
hold bench/floor, bench/keel-bench and examples/keel-hello.

For every measure the two programs run alternately (the order flips each
round), ROUNDS times each; before each run, every process of the previous
one (its WebKit processes included) must be gone. Prints a table of medians and Keel/floor ratios
and writes BUILD_DIR/bench/results.json. Timing is noisy on a shared machine:
read ratios of the same run, never absolute numbers across runs."""

import argparse
import json
import os
import platform
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

PROGRAMS = ('floor', 'keel')
RUN_TIMEOUT = 120.0
SETTLE_SECONDS = 3.0
LEFTOVER_TIMEOUT = 15.0

# name: (workload, what is measured, unit, which way is better)
MEASURES = {
    'small': ('small', 'small invoke round trip, median', 'µs', 'lower'),
    'json1m': ('json1m', '1 MiB JSON string echo', 'MiB/s', 'higher'),
    'start': ('start', 'start → first invoke → exit', 'ms', 'lower'),
    'idle_pss': ('idle', 'idle PSS of the process tree', 'MiB', 'lower'),
}


def read_stat(pid):
    """(comm, state, ppid) from /proc/PID/stat, or None once it has gone."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            text = f.read()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    left, right = text.index('('), text.rindex(')')
    fields = text[right + 2:].split()
    return text[left + 1:right], fields[0], int(fields[1])


def all_processes():
    table = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            stat = read_stat(int(name))
            if stat is not None:
                table[int(name)] = stat
    return table


def marked_processes(marker):
    """Live processes whose environment holds `marker`: a run's program and
    everything it started (bwrap, WebKit's processes, xdg-dbus-proxy), even
    after they were reparented when the program exited."""
    needle = marker.encode() + b'\0'
    found = []
    for pid, (comm, state, _) in all_processes().items():
        if state == 'Z':
            continue
        try:
            with open(f'/proc/{pid}/environ', 'rb') as f:
                if needle in f.read():
                    found.append((pid, comm))
        except OSError:
            pass
    return found


def wait_for_leftovers(marker):
    """Waits until no process of the run that carried `marker` is left.
    Returns how long it waited, in seconds."""
    start = time.monotonic()
    while marker is not None and (left := marked_processes(marker)):
        if time.monotonic() - start > LEFTOVER_TIMEOUT:
            sys.stderr.write(f'bench: processes of the previous run still there after '
                             f'{LEFTOVER_TIMEOUT:.0f} s: {left}\n')
            break
        time.sleep(0.02)
    return time.monotonic() - start


def tree(root):
    """The pid of `root` and those of all its descendants."""
    children = {}
    for pid, (_, _, ppid) in all_processes().items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def tree_pss(root):
    """Sum of Pss over the tree, in KiB, with a breakdown per process name."""
    total, parts, unreadable = 0, {}, []
    for pid in tree(root):
        stat = read_stat(pid)
        try:
            with open(f'/proc/{pid}/smaps_rollup') as f:
                pss = next(int(line.split()[1]) for line in f if line.startswith('Pss:'))
        except (OSError, StopIteration):
            unreadable.append(pid)
            continue
        total += pss
        name = stat[0] if stat else str(pid)
        parts[name] = parts.get(name, 0) + pss
    return total, parts, unreadable


def run_once(executable, workload, marker, stay=False):
    """Runs one program on one workload. Returns (result, wall seconds, extra)
    where result is the page's JSON line. With `stay`, measures the tree's
    PSS after the page has reported and settled, then ends it with SIGTERM."""
    with tempfile.TemporaryFile() as stderr:
        start = time.monotonic()
        name, value = marker.split('=', 1)
        process = subprocess.Popen([executable, workload], stdout=subprocess.PIPE,
                                   stderr=stderr, stdin=subprocess.DEVNULL,
                                   env={**os.environ, name: value})
        result, extra, buffer = None, {}, b''
        deadline = start + RUN_TIMEOUT
        try:
            while result is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f'{executable} {workload}: no result after {RUN_TIMEOUT:.0f} s')
                ready, _, _ = select.select([process.stdout], [], [], remaining)
                if not ready:
                    continue
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                buffer += chunk
                while b'\n' in buffer and result is None:
                    line, buffer = buffer.split(b'\n', 1)
                    if line.startswith(b'{'):
                        result = json.loads(line)
            if result is not None and stay:
                time.sleep(SETTLE_SECONDS)
                pss, parts, unreadable = tree_pss(process.pid)
                extra = {'pss_kib': pss, 'pss_by_process_kib': parts,
                         'unreadable_pids': unreadable}
                process.send_signal(signal.SIGTERM)
            process.stdout.read()
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except BaseException:
            process.kill()
            process.wait()
            raise
        wall = time.monotonic() - start
        # Keel ends on SIGTERM with the shell's status for it, 143.
        clean = (0, 128 + signal.SIGTERM) if stay else (0,)
        if result is None or not result.get('ok') or process.returncode not in clean:
            stderr.seek(0)
            tail = stderr.read().decode(errors='replace')[-2000:]
            raise RuntimeError(f'{executable} {workload}: exit {process.returncode}, '
                               f'result {result}\n{tail}')
        return result, wall, extra


def value_of(measure, result, wall, extra):
    if measure == 'small':
        return result['medianUs']
    if measure == 'json1m':
        return result['mibPerS']
    if measure == 'start':
        return wall * 1000.0
    if measure == 'idle_pss':
        return extra['pss_kib'] / 1024.0
    raise KeyError(measure)


def stripped_size(path):
    with tempfile.TemporaryDirectory() as scratch:
        copy = os.path.join(scratch, os.path.basename(path))
        subprocess.run(['strip', '-o', copy, path], check=True)
        return os.path.getsize(copy)


def find_libkeel(build):
    directory = os.path.join(build, 'src')
    names = sorted(n for n in os.listdir(directory)
                   if n.startswith('libkeel.so') and not os.path.islink(os.path.join(directory, n)))
    if not names:
        raise FileNotFoundError(f'no libkeel.so in {directory}')
    return os.path.join(directory, names[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('build', help='the Meson build directory')
    parser.add_argument('--rounds', type=int, default=7, help='runs of each program per measure')
    parser.add_argument('--only', default=','.join(MEASURES),
                        help='comma-separated measures: ' + ', '.join(MEASURES))
    args = parser.parse_args()

    if not (os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')):
        sys.exit('bench: no display; run it as `make bench`, which uses Xvfb')
    executables = {'floor': os.path.join(args.build, 'bench', 'floor'),
                   'keel': os.path.join(args.build, 'bench', 'keel-bench')}
    for path in executables.values():
        if not os.access(path, os.X_OK):
            sys.exit(f'bench: {path} is missing; build first (ninja -C {args.build})')
    measures = [m for m in args.only.split(',') if m]
    for m in measures:
        if m not in MEASURES:
            sys.exit(f'bench: unknown measure {m!r}; known: {", ".join(MEASURES)}')

    samples = {m: {p: [] for p in PROGRAMS} for m in measures}
    details = {m: {p: [] for p in PROGRAMS} for m in measures}
    waited = []
    marker = None
    runs = 0
    for round_index in range(args.rounds):
        order = PROGRAMS if round_index % 2 == 0 else PROGRAMS[::-1]
        for m in measures:
            workload = MEASURES[m][0]
            for program in order:
                waited.append(wait_for_leftovers(marker))
                runs += 1
                marker = f'KEEL_BENCH_RUN={os.getpid()}-{runs}'
                result, wall, extra = run_once(executables[program], workload, marker,
                                               stay=(m == 'idle_pss'))
                samples[m][program].append(value_of(m, result, wall, extra))
                details[m][program].append({'result': result, 'wall_s': wall, **extra})
        done = ', '.join(f'{m} {statistics.median(samples[m]["floor"]):.4g}/'
                         f'{statistics.median(samples[m]["keel"]):.4g}' for m in measures)
        print(f'round {round_index + 1}/{args.rounds}: floor/keel medians so far: {done}',
              file=sys.stderr, flush=True)

    waited.append(wait_for_leftovers(marker))

    webkit = subprocess.run(['pkg-config', '--modversion', 'webkit2gtk-4.1'],
                            capture_output=True, text=True).stdout.strip() or None
    report = {'rounds': args.rounds, 'machine': {
        'kernel': platform.release(), 'cpus': os.cpu_count(), 'webkitgtk': webkit,
        'python': platform.python_version()}, 'measures': {}, 'sizes': {}}
    rows = []
    for m in measures:
        _, title, unit, better = MEASURES[m]
        floor = statistics.median(samples[m]['floor'])
        keel = statistics.median(samples[m]['keel'])
        ratio = keel / floor if floor else float('nan')
        report['measures'][m] = {
            'title': title, 'unit': unit, 'better': better,
            'floor': samples[m]['floor'], 'keel': samples[m]['keel'],
            'floor_median': floor, 'keel_median': keel, 'ratio_keel_over_floor': ratio,
            'runs': details[m]}
        rows.append((f'{title} ({unit})', f'{floor:.1f}', f'{keel:.1f}', f'{ratio:.2f}×',
                     f'{better} is better'))

    sizes = {'keel-hello': os.path.join(args.build, 'examples', 'keel-hello'),
             'libkeel': find_libkeel(args.build),
             'floor': executables['floor']}
    for name, path in sizes.items():
        report['sizes'][name] = {'stripped_bytes': stripped_size(path),
                                 'file': os.path.relpath(path, args.build)}

    headers = ('measure', 'floor', 'keel', 'keel/floor', '')
    widths = [max(len(r[i]) for r in rows + [headers]) for i in range(5)]
    line = lambda r: '  '.join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) if i < 4 else c
                               for i, c in enumerate(r))
    print(f'\nKeel against the raw-WebKitGTK floor: medians of {args.rounds} runs each, '
          f'alternating; sandbox on in both\n')
    print(line(headers))
    print(line(tuple('-' * w for w in widths)))
    for r in rows:
        print(line(r))
    print('\nstripped sizes: ' + ', '.join(
        f'{name} {info["stripped_bytes"] / 1024:.1f} KiB' for name, info in report['sizes'].items()))
    if waited:
        print(f'waited for leftover processes of the previous run: up to {max(waited):.2f} s')

    out = os.path.join(args.build, 'bench', 'results.json')
    with open(out, 'w') as f:
        json.dump(report, f, indent=2, ensure_ascii=False)
        f.write('\n')
    print(f'wrote {out}')


if __name__ == '__main__':
    main()
