#!/usr/bin/env python3
"""Runs the floor (raw WebKitGTK) and Keel side by side: `make bench`.

Usage: run.py BUILD_DIR [--rounds N] [--only MEASURE,...]

Needs a display (DISPLAY or WAYLAND_DISPLAY) and a session bus; the Makefile
runs it under xvfb-run and dbus-run-session. Builds nothing: BUILD_DIR must
hold bench/floor, bench/keel-bench and examples/keel-hello.

For every measure the programs run alternately (the order rotates each
round), ROUNDS times each: the floor and Keel, and for the JSON echoes also
the copying floor (`floor WORKLOAD copy`); before each run, every process of
the previous one (its WebKit processes included) must be gone. Prints a table
of medians and Keel/floor ratios and writes BUILD_DIR/bench/results.json.
Timing is noisy on a shared machine: read ratios of the same run, never
absolute numbers across runs.
bench/README.md describes each measure and how to read the table."""

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

# The floors Keel is divided by, as named in the table and in results.json.
FLOORS = ('floor', 'floor-copy')
RUN_TIMEOUT = 120.0
SETTLE_SECONDS = 3.0
LEFTOVER_TIMEOUT = 15.0

# What each measure runs: the page's workload, how many windows report and
# which programs (bench/README.md says what the workloads do). The JSON
# echoes run the copying floor too: the one the target is set
# against.
WITH_COPY = ('floor', 'floor-copy', 'keel')
MEASURES = {
    'small': ('small', 1, ('floor', 'keel')),
    'json1m': ('json1m', 1, WITH_COPY),
    'json16m': ('json16m', 1, WITH_COPY),
    'event1m': ('event1m', 1, ('floor', 'keel')),
    'event16m': ('event16m', 1, ('floor', 'keel')),
    'bin1m': ('bin1m', 1, ('floor', 'keel')),
    'bin64m': ('bin64m', 1, ('floor', 'keel')),
    'chan100k': ('chan100k', 1, ('floor', 'keel')),
    'chan64m': ('chan64m', 1, ('floor', 'keel')),
    'fanout': ('fanout', 4, ('floor', 'keel')),
    'start': ('start', 1, ('floor', 'keel')),
    'idle_pss': ('idle', 1, ('floor', 'keel')),
}

# The table's rows, from each measure's runs: (row, measure, what is
# measured, unit, which way is better). The fan-out gives three: events lost
# and longest stall of its worst window, and how long the sending took.
ROWS = [
    ('small', 'small', 'small invoke round trip, median', 'µs', 'lower'),
    ('json1m', 'json1m', '1 MiB JSON string echo', 'MiB/s', 'higher'),
    ('json16m', 'json16m', '16 MiB JSON string echo', 'MiB/s', 'higher'),
    ('event1m', 'event1m', '1 MiB event echo to the sender', 'MiB/s', 'higher'),
    ('event16m', 'event16m', '16 MiB event echo to the sender', 'MiB/s', 'higher'),
    ('bin1m', 'bin1m', '1 MiB binary echo', 'MiB/s', 'higher'),
    ('bin64m', 'bin64m', '64 MiB binary echo', 'MiB/s', 'higher'),
    ('chan100k', 'chan100k', 'channel: 100,000 small messages to the page', 'msg/s', 'higher'),
    ('chan64m', 'chan64m', 'channel: 64 MiB in 64 KiB chunks to the page', 'MiB/s', 'higher'),
    ('fanout_lost', 'fanout', 'fan-out 10k/s to 4 windows: events lost, worst window',
     'events', 'lower'),
    ('fanout_stall', 'fanout', 'fan-out: longest page stall, worst window', 'ms', 'lower'),
    ('fanout_send', 'fanout', 'fan-out: time to send 10 s worth', 's', 'lower'),
    ('start', 'start', 'start → first invoke → exit', 'ms', 'lower'),
    ('idle_pss', 'idle_pss', 'idle PSS of the process tree', 'MiB', 'lower'),
]


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


def run_once(command, workload, windows, marker, stay=False):
    """Runs one program on one workload. Returns (results, wall seconds,
    extra) where results holds the JSON line of each of the `windows` pages.
    `command` is the program and its arguments before the workload's, which
    come last.
    With `stay`, measures the tree's PSS after the page has reported and
    settled, then ends it with SIGTERM."""
    with tempfile.TemporaryFile() as stderr:
        start = time.monotonic()
        name, value = marker.split('=', 1)
        executable = command[0]
        process = subprocess.Popen([executable, workload, *command[1:]], stdout=subprocess.PIPE,
                                   stderr=stderr, stdin=subprocess.DEVNULL,
                                   env={**os.environ, name: value})
        results, extra, buffer = [], {}, b''
        deadline = start + RUN_TIMEOUT
        try:
            while len(results) < windows:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f'{executable} {workload}: {len(results)} of {windows} '
                                       f'results after {RUN_TIMEOUT:.0f} s')
                ready, _, _ = select.select([process.stdout], [], [], remaining)
                if not ready:
                    continue
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                buffer += chunk
                while b'\n' in buffer and len(results) < windows:
                    line, buffer = buffer.split(b'\n', 1)
                    if not line.startswith(b'{'):
                        continue
                    # A fan-out window whose page Keel restarted after it had
                    # reported may report again: its first report counts.
                    result = json.loads(line)
                    if result.get('window') not in (r.get('window') for r in results):
                        results.append(result)
            if len(results) == windows and stay:
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
        if (len(results) < windows or not all(r.get('ok') for r in results)
                or process.returncode not in clean):
            stderr.seek(0)
            tail = stderr.read().decode(errors='replace')[-2000:]
            raise RuntimeError(f'{executable} {workload}: exit {process.returncode}, '
                               f'results {results}\n{tail}')
        return results, wall, extra


def values_of(measure, results, wall, extra):
    """The rows' values from one run of `measure`, by row name."""
    first = results[0]
    if measure == 'small':
        return {'small': first['medianUs']}
    if measure in ('json1m', 'json16m', 'event1m', 'event16m', 'bin1m', 'bin64m', 'chan64m'):
        return {measure: first['mibPerS']}
    if measure == 'chan100k':
        return {measure: first['messagesPerS']}
    if measure == 'fanout':
        if len({r['sent'] for r in results}) != 1:
            raise RuntimeError(f'fan-out windows disagree on the number sent: {results}')
        return {'fanout_lost': max(r['lost'] for r in results),
                'fanout_stall': max(r['stallMs'] for r in results),
                'fanout_send': results[0]['sendSeconds']}
    if measure == 'start':
        return {'start': wall * 1000.0}
    if measure == 'idle_pss':
        return {'idle_pss': extra['pss_kib'] / 1024.0}
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
    commands = {'floor': [executables['floor']], 'floor-copy': [executables['floor'], 'copy'],
                'keel': [executables['keel']]}
    for path in executables.values():
        if not os.access(path, os.X_OK):
            sys.exit(f'bench: {path} is missing; build first (ninja -C {args.build})')
    measures = [m for m in args.only.split(',') if m]
    for m in measures:
        if m not in MEASURES:
            sys.exit(f'bench: unknown measure {m!r}; known: {", ".join(MEASURES)}')

    rows = [row for row in ROWS if row[1] in measures]
    samples = {row[0]: {p: [] for p in MEASURES[row[1]][2]} for row in rows}
    details = {m: {p: [] for p in MEASURES[m][2]} for m in measures}
    waited = []
    marker = None
    runs = 0
    for round_index in range(args.rounds):
        for m in measures:
            workload, windows, programs = MEASURES[m]
            # Rotated each round: with two programs, the order flips.
            turn = round_index % len(programs)
            for program in programs[turn:] + programs[:turn]:
                waited.append(wait_for_leftovers(marker))
                runs += 1
                marker = f'KEEL_BENCH_RUN={os.getpid()}-{runs}'
                results, wall, extra = run_once(commands[program], workload, windows, marker,
                                                stay=(m == 'idle_pss'))
                for name, value in values_of(m, results, wall, extra).items():
                    samples[name][program].append(value)
                details[m][program].append({'results': results, 'wall_s': wall, **extra})
        done = ', '.join(f'{row[0]} ' + '/'.join(f'{statistics.median(values):.4g}'
                                                 for values in samples[row[0]].values())
                         for row in rows)
        print(f'round {round_index + 1}/{args.rounds}: medians so far (floor[/floor-copy]/keel): '
              f'{done}',
              file=sys.stderr, flush=True)

    waited.append(wait_for_leftovers(marker))

    webkit = subprocess.run(['pkg-config', '--modversion', 'webkit2gtk-4.1'],
                            capture_output=True, text=True).stdout.strip() or None
    report = {'rounds': args.rounds, 'machine': {
        'kernel': platform.release(), 'cpus': os.cpu_count(), 'webkitgtk': webkit,
        'python': platform.python_version()}, 'measures': {}, 'runs': details, 'sizes': {}}
    table = []
    for name, measure, title, unit, better in rows:
        keel = statistics.median(samples[name]['keel'])
        entry = {'title': title, 'unit': unit, 'better': better, 'runs_of': measure,
                 'keel': samples[name]['keel'], 'keel_median': keel}
        cells = {}
        for floor_name in FLOORS:
            if floor_name not in samples[name]:
                cells[floor_name] = ('', '')
                continue
            key = floor_name.replace('-', '_')
            floor = statistics.median(samples[name][floor_name])
            # A ratio to zero (no event lost by the floor) means nothing.
            ratio = keel / floor if floor else None
            entry.update({key: samples[name][floor_name], f'{key}_median': floor,
                          f'ratio_keel_over_{key}': ratio})
            cells[floor_name] = (f'{floor:.1f}', f'{ratio:.2f}×' if ratio is not None else '—')
        report['measures'][name] = entry
        table.append((f'{title} ({unit})', cells['floor'][0], cells['floor-copy'][0], f'{keel:.1f}',
                      cells['floor'][1], cells['floor-copy'][1], f'{better} is better'))

    sizes = {'keel-hello': os.path.join(args.build, 'examples', 'keel-hello'),
             'libkeel': find_libkeel(args.build),
             'floor': executables['floor']}
    for name, path in sizes.items():
        report['sizes'][name] = {'stripped_bytes': stripped_size(path),
                                 'file': os.path.relpath(path, args.build)}

    headers = ('measure', 'floor', 'floor-copy', 'keel', 'keel/floor', 'keel/copy', '')
    last = len(headers) - 1
    widths = [max(len(r[i]) for r in table + [headers]) for i in range(len(headers))]
    line = lambda r: '  '.join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) if i < last
                               else c for i, c in enumerate(r))
    print(f'\nKeel against the raw-WebKitGTK floor: medians of {args.rounds} runs each, '
          f'alternating; sandbox on in both\n')
    print(line(headers))
    print(line(tuple('-' * w for w in widths)))
    for r in table:
        print(line(r))
    print('\nstripped sizes: ' + ', '.join(
        f'{name} {info["stripped_bytes"] / 1024:.1f} KiB' for name, info in report['sizes'].items()))
    # A page that missed the fan-out's first event was restarted during it
    # (Keel's hang detection): its window's stall covers the new page only.
    for program in ('floor', 'keel'):
        runs_with_restart = sum(any(r['firstSeq'] != 1 for r in run['results'])
                                for run in details.get('fanout', {}).get(program, []))
        if runs_with_restart:
            print(f'{program}: in {runs_with_restart} of {args.rounds} fan-out runs, a page was '
                  f'restarted or began late (see firstSeq in the JSON)')
    if waited:
        print(f'waited for leftover processes of the previous run: up to {max(waited):.2f} s')

    out = os.path.join(args.build, 'bench', 'results.json')
    with open(out, 'w') as f:
        json.dump(report, f, indent=2, ensure_ascii=False)
        f.write('\n')
    print(f'wrote {out}')


if __name__ == '__main__':
    main()
