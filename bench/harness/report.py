#!/usr/bin/python3
"""Regenerates BENCHMARKS.md (and its PNG charts) from one bench/run results file.

  /usr/bin/python3 bench/harness/report.py bench/results/<UTC time>.json [--out BENCHMARKS.md]
                   [--charts DIR]

Charts go to docs/bench/ next to the report unless --charts says otherwise; without
matplotlib the report is written without them. Nothing is measured here: every number comes
from the results file.
"""
import argparse
import json
import math
import os
import re
import statistics
import sys

TIME_UNITS = {'ns': 1e-9, 'us': 1e-6, 'ms': 1e-3, 's': 1.0, 'min': 60.0}
AREA_TITLES = {
    'fma': 'FMA peak (roofline)', 'gemm': 'GEMM', 'elementwise': 'Elementwise kernels',
    'recurrent': 'Recurrent layers', 'conv': 'Convolution', 'resnet': 'ResNet training step',
    'serve': 'Serving latency and allocation', 'scaling': 'Scaling',
    'distributed': 'Data-parallel training',
}


# ---- reading the results ---------------------------------------------------------------------

def unit_seconds(unit):
    u = unit.replace('\u00b5', 'u').replace('\u03bc', 'u').strip()
    if u.endswith('/op'):
        return TIME_UNITS[u.split('/')[0]], False
    if u.startswith('ops/'):
        return TIME_UNITS[u.split('/')[1]], True
    raise ValueError('unsupported JMH unit %r' % unit)


class Entry:
    """One JMH result (benchmark, mode, parameters), times in seconds per operation."""

    def __init__(self, r):
        self.raw = r
        self.area = r.get('area')
        full = r['benchmark']
        self.cls, self.method = full.rsplit('.', 2)[-2:]
        self.mode = r.get('mode')
        self.params = {k: str(v) for k, v in (r.get('params') or {}).items()}
        self.command = r.get('command')
        pm = r['primaryMetric']
        scale, inverse = unit_seconds(pm['scoreUnit'])

        def conv(x):
            return (scale / x if x else float('inf')) if inverse else x * scale
        self.samples = [conv(x) for fork in pm.get('rawData') or [] for x in fork]
        self.mean = conv(pm['score'])
        self.percentiles = {float(k): conv(v) for k, v in (pm.get('scorePercentiles') or {}).items()}
        # Bytes per call: the median over the measurement iterations, so that one iteration still
        # running partly interpreted code (which boxes vectors) does not stand for the steady state.
        alloc = (r.get('secondaryMetrics') or {}).get('gc.alloc.rate.norm')
        raw = [x for fork in (alloc or {}).get('rawData') or [] for x in fork]
        self.alloc = statistics.median(raw) if raw else (alloc['score'] if alloc else None)
        self.forks = r.get('forks')
        self.iterations = r.get('measurementIterations')

    @property
    def min(self):
        if self.mode == 'sample' and 0.0 in self.percentiles:
            return self.percentiles[0.0]
        return min(self.samples) if self.samples else self.mean

    @property
    def median(self):
        if self.mode == 'sample' and 50.0 in self.percentiles:
            return self.percentiles[50.0]
        return statistics.median(self.samples) if self.samples else self.mean

    def pct(self, q):
        return self.percentiles.get(q)


class Results:
    def __init__(self, path):
        self.path = path
        with open(path) as f:
            self.r = json.load(f)
        self.entries = [Entry(x) for x in self.r.get('jmh', [])]
        self.peers = self.r.get('peers', {})
        self.machine = self.r.get('machine', {})

    def lanes(self, cls, method, mode='avgt', area=None, **params):
        found = None
        for e in self.entries:
            if e.cls != cls or e.method != method or e.mode != mode or (area and e.area != area):
                continue
            if all(e.params.get(k) == str(v) for k, v in params.items()):
                found = e  # the last one measured wins
        return found

    def all(self, cls, method=None, area=None, mode=None):
        return [e for e in self.entries if e.cls == cls and (method is None or e.method == method)
                and (area is None or e.area == area) and (mode is None or e.mode == mode)]

    def torch(self, key, threads, case):
        """{'min', 'median', ...} in seconds, or None."""
        found = None
        for run in self.peers.get('torch', {}).get(key, {}).get(str(threads), []):
            v = run.get('results', {}).get(case)
            if v:
                found = dict(v)
                found['_run'] = run
        if not found:
            return None
        s = TIME_UNITS[found['unit']]
        out = {k: found[k] * s for k in ('min', 'median', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean') if k in found}
        out['_run'] = found['_run']
        return out

    def torch_runs(self, key):
        return [run for runs in self.peers.get('torch', {}).get(key, {}).values() for run in runs]

    def torch_sized(self, key, threads, case, **sizes):
        """A torch_recurrent.py result run with the given sizes (from the key's runs, or from the
        recurrent area's runs at the default sizes)."""
        found = None
        runs = self.peers.get('torch', {}).get('recurrent', {}).get(str(threads), []) + \
            self.peers.get('torch', {}).get(key, {}).get(str(threads), [])
        for run in runs:
            if all(str(run.get('sizes', {}).get(k)) == str(v) for k, v in sizes.items()):
                v = run.get('results', {}).get(case)
                if v:
                    found = {k: v[k] * TIME_UNITS[v['unit']] for k in ('min', 'median') if k in v}
        return found


# ---- formatting ------------------------------------------------------------------------------

def ftime(s):
    if s is None or (isinstance(s, float) and math.isnan(s)):
        return 'n/a'
    for unit, scale in (('s', 1), ('ms', 1e-3), ('µs', 1e-6), ('ns', 1e-9)):
        if s >= scale or unit == 'ns':
            v = s / scale
            return ('%.0f' if v >= 100 else '%.1f' if v >= 10 else '%.2f') % v + ' ' + unit
    return 'n/a'


def fnum(x, digits=3):
    if x is None:
        return 'n/a'
    if x == 0:
        return '0'
    mag = int(math.floor(math.log10(abs(x))))
    dec = max(0, digits - 1 - mag)
    return '{:,.{}f}'.format(x, dec)


def pair(a, b, f=ftime):
    return '%s / %s' % (f(a), f(b))


def ratio(a, b):
    return a / b if a is not None and b else None


def fratio(a, b):
    r = ratio(a, b)
    return 'n/a' if r is None else '%.2f' % r


def rpair(lanes, peer):
    """'min / median' ratios of Lanes time to peer time."""
    if not lanes or not peer:
        return 'n/a'
    return '%s / %s' % (fratio(lanes[0], peer[0]), fratio(lanes[1], peer[1]))


def table(head, rows, align=None):
    align = align or (['---'] + ['---:'] * (len(head) - 1))
    out = ['| ' + ' | '.join(head) + ' |', '|' + '|'.join(align) + '|']
    out += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows]
    return '\n'.join(out)


def mm(e):
    return (e.min, e.median) if e else None


def gflops_of(flops, t):
    return flops / t / 1e9 if t else None


def commands(entries, extra=()):
    cmds = []
    for e in entries:
        if e and e.command and e.command not in cmds:
            cmds.append(e.command)
    for c in extra:
        if c and c not in cmds:
            cmds.append(c)
    return '\n'.join('    ' + c for c in cmds)


def fit_line(xs, ys):
    """Least-squares y = a + b x; returns (a, b) or None."""
    if len(xs) < 2:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - b * mx, b


# ---- the report ------------------------------------------------------------------------------

class Report:
    def __init__(self, res, out, charts):
        self.R = res
        self.out = out
        self.charts_dir = charts
        self.charts = {}
        self.md = []
        self.headline = []
        self.threads = [str(t) for t in res.r.get('threads', ['1', '2'])]
        try:
            import matplotlib
            matplotlib.use('Agg')
            import matplotlib.pyplot as plt
            self.plt = plt
        except ImportError:
            self.plt = None

    def chart(self, name, fig):
        os.makedirs(self.charts_dir, exist_ok=True)
        path = os.path.join(self.charts_dir, name)
        fig.savefig(path, dpi=110, bbox_inches='tight')
        self.plt.close(fig)
        rel = os.path.relpath(path, os.path.dirname(os.path.abspath(self.out)))
        self.charts[name] = rel
        return rel

    def w(self, *lines):
        self.md.extend(lines)

    # -- sections --

    def header(self):
        r = self.R.r
        quick = r.get('mode') == 'quick'
        self.w('# Benchmarks', '',
               'Generated by `bench/harness/report.py` from [%s](%s); do not edit by hand. Regenerate with' % (
                   os.path.basename(self.R.path), os.path.relpath(self.R.path, os.path.dirname(
                       os.path.abspath(self.out)))),
               '`/usr/bin/python3 bench/harness/report.py %s`; measure again with `%s`.' % (
                   os.path.relpath(self.R.path, os.path.dirname(os.path.abspath(self.out))), r.get('command')),
               '',
               '- **Mode: %s.** %s' % (r.get('mode'), (
                   'A quick run: few shapes, one JMH fork, short iterations, short PyTorch timings. It shows that '
                   'the harness works and gives rough numbers; `bench/run --full` (2 forks, every shape, the '
                   'scaling sweeps) is the one to quote.' if quick else
                   'The full run: every shape, 2 JMH forks, the scaling sweeps.')),
               '- Run %s to %s (%s in all), %s threads.' % (
                   r.get('started'), r.get('finished'), ftime(r.get('duration_s')), ' and '.join(self.threads)),
               '- **Ratios are Lanes time / peer time, below 1 means Lanes is faster**, computed twice: from the '
               'fastest sample of each side ("min") and from the median samples ("median"). A sample is one JMH '
               'iteration (the mean over about a second of calls) for Lanes and one timed batch of calls for '
               'PyTorch and OpenBLAS; for latency, each call is a sample.',
               '- Lanes runs on JMH 1.37 (`bench/jmh`, one JVM fork per benchmark and parameter set). PyTorch '
               'times come from Python and include its call overhead (a few microseconds per call).')
        env = r.get('torch_env')
        if env:
            self.w('- PyTorch runs with `%s`: glibc then keeps freed memory in the process instead of handing '
                   'it back to the kernel, so activations allocated per call do not take fresh page faults on '
                   'every call (on the development VM these made PyTorch\'s convolutions up to 14x slower; the '
                   'JVM\'s heap stays mapped in the same way). `bench/run --torch-default-malloc` measures '
                   'PyTorch with glibc\'s defaults.' % ' '.join('%s=%s' % kv for kv in sorted(env.items())))
        elif 'torch_env' in r:
            self.w('- PyTorch runs with glibc\'s default malloc thresholds (`--torch-default-malloc`): freed '
                   'activations go back to the kernel and come back as page faults, which can slow it down '
                   'several-fold on virtual machines.')
        busy = [max(s.get('cpus_busy_before', 0), s.get('cpus_busy_others', 0)) for s in r.get('steps', [])]
        if busy and max(busy) > 0.33:
            self.w('- **Other processes were busy during this run** (up to %.1f of %s CPUs just before a step, '
                   'see the last table); their load makes these numbers noisier and slower than on an idle '
                   'machine, the two-thread ones most.' % (max(busy), self.R.machine.get('cpus')))
        if r.get('waited_for_other_jmh_s'):
            self.w('- The run waited %s in all for other work on the machine (another JMH run, or other processes '
                   'keeping a CPU busy, with `--wait-idle`) before its steps; that time is not counted.' % ftime(
                       r['waited_for_other_jmh_s']))
        slower = self.slower_on_two_threads()
        if slower:
            self.w('- **Lanes was slower on two threads than on one** (medians, by more than 10%%) for %s. On '
                   'an otherwise idle machine two threads should be at least as fast (products below 2^20 '
                   'multiply-adds stay on one thread); other load during those steps, a short warm-up or a real '
                   'scaling problem can cause it, so rerun before relying on the two-thread rows.' %
                   ', '.join(slower))
        notes = r.get('notes') or []
        for n in notes:
            self.w('- Note: ' + n)
        failed = [s for s in r.get('steps', []) if s.get('status') != 'ok']
        for s in failed:
            self.w('- **Failed step** %s / %s: %s' % (s['area'], s['name'], s.get('note')))
        self.w('')

    def slower_on_two_threads(self):
        """Benchmarks (other than the batch-1 step, which stays on the calling thread) whose median
        on two threads exceeds their median on one by more than 10%."""
        out = []
        for e in self.R.entries:
            if e.params.get('threads') != '2' or e.method == 'lstmStep' or e.mode != 'avgt':
                continue
            others = {k: v for k, v in e.params.items() if k != 'threads'}
            one = self.R.lanes(e.cls, e.method, area=e.area, threads='1', **others)
            if one and e.median > 1.1 * one.median:
                label = '`%s.%s`%s' % (e.cls, e.method, ' (%s)' % ', '.join('%s=%s' % kv for kv in sorted(
                    others.items())) if others else '')
                if label not in out:
                    out.append(label)
        return out

    def machine(self):
        m = self.R.machine
        ob = self.R.peers.get('openblas', {})
        torch_runs = [run for key in self.R.peers.get('torch', {}) for run in self.R.torch_runs(key)]
        blas = next((run.get('blas') for run in torch_runs if run.get('blas')), None)
        fma = self.R.peers.get('fma_probe', {})
        rows = [
            ['CPU', '%s (family/model %s), %s logical CPUs%s, %s GiB' % (
                m.get('cpu_model'), m.get('cpu_family_model'), m.get('cpus'),
                ', virtual machine' if m.get('virtual_machine') else '', m.get('memory_gib'))],
            ['CPU flags (selected)', ' '.join(f for f in m.get('flags', []) if f != 'hypervisor') or 'n/a'],
            ['OS', '%s, kernel %s' % (m.get('os'), m.get('kernel'))],
            ['JDK', (m.get('java_version') or '').splitlines()[-1] if m.get('java_version') else 'n/a'],
            ['Lanes kernels', 'provider %s; %s' % (m.get('lanes_provider'), m.get('lanes_detail'))],
            ['Vector species', '%s (preferred %s-bit)' % (m.get('vector_species'), m.get('vector_bits'))],
            ['Lanes pool', '%s threads by default; each benchmark sets its own (`Parallel.setThreads`)' % (
                m.get('lanes_threads'))],
            ['OpenBLAS', '%s; kernels: %s; %s' % (m.get('openblas_package'), ob.get('core', 'n/a'),
                                                   ob.get('config', ''))],
            ['PyTorch', '%s%s' % (m.get('torch_package'), '; BLAS: %s, kernels %s' % (
                os.path.basename(blas['library']), blas['core']) if blas else '')],
            ['FMA probe', ', '.join('%s thread(s): %s, %d lanes, %d chains' % (t, v['isa'], v['lanes'], v['chains'])
                                    for t, v in sorted(fma.items())) or 'n/a'],
            ['Compiler', m.get('gcc') or 'n/a'],
            ['Source', 'git %s' % m.get('git')],
            ['Load average (1, 5, 15 min)', 'before %s, after %s' % (
                ', '.join('%.2f' % x for x in m.get('load_before', [])),
                ', '.join('%.2f' % x for x in m.get('load_after', [])))],
        ]
        if m.get('env_OPENBLAS_CORETYPE'):
            rows.append(['Environment', 'OPENBLAS_CORETYPE=%s is set here; the harness unsets it for OpenBLAS and '
                                        'PyTorch so that both use the kernels OpenBLAS picks for this CPU' %
                         m['env_OPENBLAS_CORETYPE']])
        self.w('## Machine', '', table(['', ''], rows, ['---', '---']), '')

    def fma(self):
        fma = self.R.peers.get('fma_probe', {})
        e = self.R.lanes('FmaPeakBenchmark', 'fmaChains')
        lanes = None
        m = re.search(r'Species\[\w+, (\d+),', self.R.machine.get('vector_species') or '')
        if m:
            lanes = int(m.group(1))
        rows = []
        for t, v in sorted(fma.items()):
            rows.append(['C probe (`bench/probes/fma_peak.c`), %s %s' % (t, 'thread' if t == '1' else 'threads'),
                         '%.0f / %.0f' % (v['gflops_best'], v['gflops_median'])])
        java = None
        if e and lanes:
            flops = 12 * lanes * 2 * 100_000
            java = (gflops_of(flops, e.min), gflops_of(flops, e.median))
            rows.append(['Java Vector API (`FmaPeakBenchmark`), 1 thread', '%.0f / %.0f' % java])
        if not rows:
            return
        self.fma_peak = {t: v['gflops_median'] for t, v in fma.items()}
        self.w('## FMA peak', '',
               'The ceiling for FP32 arithmetic: independent chains of vector fused multiply-adds on registers, '
               'no memory traffic. The GEMM chart draws the C probe\'s median as the roofline.', '',
               table(['probe', 'GFLOP/s best / median'], rows), '')
        if java and '1' in fma:
            self.w('Java reaches %.0f%% of the C probe\'s single-thread peak (medians).' % (
                100 * java[1] / fma['1']['gflops_median']), '')
        self.w('Commands:', '', commands([e], [v.get('command') for v in fma.values()]), '')

    def gemm(self):
        R = self.R
        entries = R.all('SgemmBenchmark', 'sgemm')
        if not entries:
            return
        ob = {(x['shape'], x['threads']): x for x in R.peers.get('openblas', {}).get('results', [])}
        shapes = []
        for e in entries:
            if e.params['shape'] not in shapes:
                shapes.append(e.params['shape'])
        rows = []
        for s in shapes:
            m_, k_, n_ = (int(x) for x in s.split('x'))
            flops = 2.0 * m_ * n_ * k_
            for t in self.threads:
                e = R.lanes('SgemmBenchmark', 'sgemm', shape=s, threads=t)
                o = ob.get((s, t))
                lt = mm(e)
                ot = (o['min_s'], o['median_s']) if o else None
                rows.append([s, t, pair(*(gflops_of(flops, x) for x in lt), f=fnum) if lt else 'n/a',
                             pair(*(gflops_of(flops, x) for x in ot), f=fnum) if ot else 'n/a',
                             pair(*lt) if lt else 'n/a', rpair(lt, ot)])
                if s == '1024x1024x1024' and lt and ot:
                    self.headline.append(['SGEMM 1024³, %s thread%s' % (t, '' if t == '1' else 's'),
                                          '%s GFLOP/s' % fnum(gflops_of(flops, lt[1])),
                                          'OpenBLAS %s GFLOP/s' % fnum(gflops_of(flops, ot[1])),
                                          rpair(lt, ot), '#gemm'])
        self.w('## GEMM', '',
               '`C = A B`, row-major float32, shapes M x K x N, GFLOP/s = 2 M N K / time. OpenBLAS: '
               '`cblas_sgemm` through `bench/openblas/sgemm_driver.c` (best / median of batches of at least '
               '20 ms).', '')
        chart = self.gemm_chart(shapes, ob)
        if chart:
            self.w('![SGEMM GFLOP/s against n, Lanes and OpenBLAS, with the FMA peak](%s)' % chart, '')
        self.w(table(['shape', 'threads', 'Lanes GFLOP/s best / median', 'OpenBLAS GFLOP/s best / median',
                      'Lanes time min / median', 'Lanes / OpenBLAS min / median'], rows), '')
        if '1' in self.threads and '2' in self.threads:
            parts = []
            for s_ in shapes:
                e1, e2 = (R.lanes('SgemmBenchmark', 'sgemm', shape=s_, threads=t) for t in ('1', '2'))
                o1, o2 = ob.get((s_, '1')), ob.get((s_, '2'))
                parts.append('%s: Lanes %s, OpenBLAS %s' % (
                    s_, '%.2fx' % (e1.median / e2.median) if e1 and e2 else 'n/a',
                    '%.2fx' % (o1['median_s'] / o2['median_s']) if o1 and o2 else 'n/a'))
            self.w('Speed-up of two threads over one (one-thread median time / two-thread median time): ' +
                   '; '.join(parts) + '.', '')
        fma = getattr(self, 'fma_peak', {})
        if fma.get('1'):
            best = max((gflops_of(2.0 * int(s.split('x')[0]) ** 3, R.lanes('SgemmBenchmark', 'sgemm', shape=s,
                                                                             threads='1').median)
                        for s in shapes if len(set(s.split('x'))) == 1
                        and R.lanes('SgemmBenchmark', 'sgemm', shape=s, threads='1')), default=None)
            if best:
                self.w('Best single-thread median: %s GFLOP/s, %.0f%% of the C probe\'s FMA peak (%s).' % (
                    fnum(best), 100 * best / fma['1'], fnum(fma['1'])), '')
        self.w('Commands:', '', commands(entries, R.peers.get('openblas', {}).get('commands', [])), '')

    def gemm_chart(self, shapes, ob):
        if not self.plt:
            return None
        cubes = sorted({int(s.split('x')[0]) for s in shapes if len(set(s.split('x'))) == 1})
        if len(cubes) < 2:
            return None
        fig, ax = self.plt.subplots(figsize=(7.5, 4.5))
        styles = {'1': '-', '2': '--'}
        for t in self.threads:
            xs, ys, oxs, oys = [], [], [], []
            for n in cubes:
                s = '%dx%dx%d' % (n, n, n)
                e = self.R.lanes('SgemmBenchmark', 'sgemm', shape=s, threads=t)
                if e:
                    xs.append(n)
                    ys.append(gflops_of(2.0 * n ** 3, e.median))
                o = ob.get((s, t))
                if o:
                    oxs.append(n)
                    oys.append(o['gflops_median'])
            ls = styles.get(t, ':')
            if xs:
                ax.plot(xs, ys, ls, marker='o', color='tab:blue', label='Lanes, %s thread(s)' % t)
            if oxs:
                ax.plot(oxs, oys, ls, marker='s', color='tab:orange', label='OpenBLAS, %s thread(s)' % t)
        peaks = sorted(getattr(self, 'fma_peak', {}).items())
        for i, (t, v) in enumerate(peaks):
            ax.axhline(v, color='gray', linestyle=styles.get(t, ':'), linewidth=1)
            ax.text(cubes[-1], v, 'FMA peak (C probe), %s thread%s: %.0f GFLOP/s ' % (t, '' if t == '1' else 's', v),
                    ha='right', va='bottom', fontsize=8, color='gray')
        ax.set_xscale('log', base=2)
        ax.set_xticks(cubes)
        ax.set_xticklabels([str(n) for n in cubes])
        ax.set_xlabel('n (n x n x n)')
        ax.set_ylabel('GFLOP/s (median)')
        ax.set_ylim(bottom=0)
        ax.set_title('SGEMM, float32')
        ax.legend(fontsize=8, loc='lower right')
        ax.grid(alpha=0.3)
        return self.chart('gemm.png', fig)

    def elementwise(self):
        R = self.R
        act = R.all('ActivationBenchmark')
        pw = R.all('PointwiseBenchmark')
        if not act and not pw:
            return
        pool = R.machine.get('lanes_threads') or '?'
        rows = []
        keys = []
        for e in act:
            k = (e.params.get('fn'), e.params.get('n'))
            if k not in keys:
                keys.append(k)
        order = {'sigmoid': 0, 'tanh': 1, 'exp': 2}
        for fn, n in sorted(keys, key=lambda k: (order.get(k[0], 9), int(k[1]))):
            base = R.lanes('ActivationBenchmark', 'mathLoop', fn=fn, n=n)
            for method, t in (('lanesVector', '1'), ('lanesPool', pool)):
                e = R.lanes('ActivationBenchmark', method, fn=fn, n=n)
                if not e:
                    continue
                p = R.torch('kernels', t, '%s_%s' % (fn, n))
                pt = (p['min'], p['median']) if p else None
                rows.append([fn, n, '%s (%s)' % (t, 'vector, caller thread' if method == 'lanesVector' else 'pool'),
                             pair(*mm(e)), pair(*pt) if pt else 'n/a', rpair(mm(e), pt),
                             pair(*mm(base)) if base and method == 'lanesVector' else ''])
        if rows:
            self.w('## Elementwise kernels', '',
                   'Activations over n floats uniform in [-10, 10): Lanes `Elementwise` on the vector provider on '
                   'the calling thread (`lanesVector`) and through the pool (`lanesPool`, which splits n >= 32768 '
                   'into chunks), against `torch.sigmoid / tanh / exp(x, out=y)` with 1 and %s threads. Time per '
                   'call.' % pool, '',
                   table(['function', 'n', 'threads', 'Lanes min / median', 'PyTorch min / median',
                          'Lanes / PyTorch min / median', 'Java `Math` loop min / median'], rows), '')
        rows = []
        for e in pw:
            if e.method == 'copy':
                continue
            n = e.params.get('n')
            p = R.torch('kernels', '1', '%s_%s' % (e.method, n))
            pt = (p['min'], p['median']) if p else None
            rows.append([e.method, n, pair(*mm(e)), pair(*pt) if pt else 'n/a', rpair(mm(e), pt)])
        if rows:
            self.w('Pointwise kernels and fixed-order reductions, one thread (`PointwiseBenchmark`; PyTorch: '
                   '`torch.mul(out=)`, `add_(alpha=)`, `sum`, `dot`, `softmax` over rows of 256):', '',
                   table(['kernel', 'n', 'Lanes min / median', 'PyTorch min / median', 'Lanes / PyTorch min / median'],
                         rows), '')
        runs = R.torch_runs('kernels')
        self.w('Commands:', '', commands(act + pw, [r.get('command') for r in runs]), '')

    def recurrent(self):
        R = self.R
        es = [e for e in R.all('RecurrentBenchmark') if e.area == 'recurrent']
        if not es:
            return
        rows = []
        cases = [('lstm_step', 'lstmStep', None, 'LSTM step, batch 1')]
        for kind in ('LSTM', 'GRU', 'RNN'):
            cases.append(('%s_seq' % kind.lower(), 'sequenceTrain', kind, '%s forward + backward' % kind))
            cases.append(('%s_seq_fwd' % kind.lower(), 'sequenceForward', kind, '%s forward' % kind))
        for t in self.threads:
            for case, method, kind, label in cases:
                params = {'threads': t}
                if kind:
                    params['kind'] = kind
                e = R.lanes('RecurrentBenchmark', method, area='recurrent', **params)
                if not e:
                    continue
                p = R.torch('recurrent', t, case)
                pt = (p['min'], p['median']) if p else None
                rows.append([label, t, pair(*mm(e)), pair(*pt) if pt else 'n/a', rpair(mm(e), pt)])
                if t == '1' and case in ('lstm_step', 'lstm_seq') and pt:
                    self.headline.append([('LSTM 128->256 train step, seq 100, batch 64' if case == 'lstm_seq'
                                           else label) + ', 1 thread', ftime(e.median), 'PyTorch ' + ftime(pt[1]),
                                          rpair(mm(e), pt), '#recurrent-layers'])
        notes = []
        for kind in ('lstm', 'gru', 'rnn'):
            one, two = R.torch('recurrent', '1', kind + '_seq'), R.torch('recurrent', '2', kind + '_seq')
            if one and two and two['median'] > one['median']:
                notes.append(kind.upper())
        self.w('## Recurrent layers', '',
               'F32, 128 -> 256, one layer. Sequences: 100 steps at batch 64, forward only (no tape) or forward + '
               'backward of sum(output) + sum(h_n) [+ sum(c_n)] with every parameter gradient. Step: '
               '`LSTMCell(128, 256)` at batch 1 through a `CellSession` (Lanes) or under `torch.no_grad()`.', '',
               table(['case', 'threads', 'Lanes min / median', 'PyTorch min / median', 'Lanes / PyTorch min / median'],
                     rows), '')
        if notes:
            self.w('PyTorch is slower with two threads than with one on the %s sequences here (its OpenBLAS '
                   'splits each small per-step GEMM across threads), so the two-thread ratios flatter Lanes; '
                   'compare the one-thread rows.' % ', '.join(notes), '')
        self.w('Commands:', '', commands(es, [r.get('command') for r in R.torch_runs('recurrent')]), '')

    def conv(self):
        R = self.R
        es = R.all('ConvBenchmark')
        if not es:
            return
        rows = []
        for t in self.threads:
            for method, case, label in (('forward', 'conv_fwd', 'forward'),
                                        ('forwardBackward', 'conv_fwd_bwd', 'forward + backward')):
                e = R.lanes('ConvBenchmark', method, threads=t)
                if not e:
                    continue
                p = R.torch('conv', t, case)
                pt = (p['min'], p['median']) if p else None
                rows.append([label, t, pair(*mm(e)), pair(*pt) if pt else 'n/a', rpair(mm(e), pt)])
        self.w('## Convolution', '',
               '`Conv2d(16, 16, 3x3, padding 1)` with bias on [64, 16, 32, 32] (a ResNet-20 stage-one layer), F32; '
               'forward without tape, or forward + backward of sum(output) with input and parameter gradients.', '',
               table(['case', 'threads', 'Lanes min / median', 'PyTorch min / median', 'Lanes / PyTorch min / median'],
                     rows), '',
               'Commands:', '', commands(es, [r.get('command') for r in R.torch_runs('conv')]), '')

    def resnet(self):
        R = self.R
        es = R.all('ResNetBenchmark', area='resnet')
        if not es:
            return
        rows = []
        shapes = []
        for e in es:
            if e.params.get('shape') not in shapes:
                shapes.append(e.params.get('shape'))
        for method, case, label in (('trainStep', 'train', 'train step, batch 64'),
                                    ('inferOne', 'infer', 'inference, 1 image')):
            for s in shapes:
                for t in self.threads:
                    e = R.lanes('ResNetBenchmark', method, area='resnet', shape=s, threads=t)
                    if not e:
                        continue
                    p = R.torch('resnet', t, '%s_%s' % (case, s))
                    pt = (p['min'], p['median']) if p else None
                    ips = '%.0f' % (64 / e.median) if case == 'train' else ''
                    pips = '%.0f' % (64 / pt[1]) if case == 'train' and pt else ''
                    rows.append(['%s, %s' % (label, s), t, pair(*mm(e)), pair(*pt) if pt else 'n/a',
                                 rpair(mm(e), pt), ips, pips])
                    if case == 'train' and pt:
                        self.headline.append(['ResNet-20 train step %s, batch 64, %s thread%s' % (
                                                  s, t, '' if t == '1' else 's'),
                                              '%s (%s images/s)' % (ftime(e.median), ips),
                                              'PyTorch %s (%s images/s)' % (ftime(pt[1]), pips), rpair(mm(e), pt),
                                              '#resnet-training-step'])
        big = R.all('ResNet50Benchmark', 'trainStep', area='resnet')
        for t in self.threads:
            e = R.lanes('ResNet50Benchmark', 'trainStep', area='resnet', threads=t)
            if not e:
                continue
            b = int(e.params.get('batch', '8'))
            p = R.torch('resnet', t, 'train_resnet50')
            pt = (p['min'], p['median']) if p else None
            ips = '%.1f' % (b / e.median)
            pips = '%.1f' % (b / pt[1]) if pt else ''
            rows.append(['ResNet-50 train step, batch %d, 3x224x224' % b, t, pair(*mm(e)),
                         pair(*pt) if pt else 'n/a', rpair(mm(e), pt), ips, pips])
            if pt:
                self.headline.append(['ResNet-50 train step 3x224x224, batch %d, %s thread%s' % (
                                          b, t, '' if t == '1' else 's'),
                                      '%s (%s images/s)' % (ftime(e.median), ips),
                                      'PyTorch %s (%s images/s)' % (ftime(pt[1]), pips), rpair(mm(e), pt),
                                      '#resnet-training-step'])
        self.w('## ResNet training step', '',
               'CIFAR-style ResNet-20, shortcut option A, F32: one SGD step (forward, cross entropy, backward, '
               'momentum update) on 64 images. ResNet-50 (torchvision\'s layout, written out in '
               '`bench/torch_models.py` for PyTorch): the same step on 3 x 224 x 224 images and 1000 classes, '
               'with a learning rate of 1e-4 on both sides so that the few images are not memorised (a loss '
               'near zero makes the gradients subnormal, and the step would time the CPU\'s slow path).', '')
        chart = self.training_chart()
        if chart:
            self.w('![Training throughput, Lanes and PyTorch](%s)' % chart, '')
        self.w(table(['case', 'threads', 'Lanes min / median', 'PyTorch min / median', 'Lanes / PyTorch min / median',
                      'Lanes images/s (median)', 'PyTorch images/s (median)'], rows), '',
               'Commands:', '', commands(es + big, [r.get('command') for r in R.torch_runs('resnet')]), '')

    def training_chart(self):
        if not self.plt:
            return None
        R = self.R
        panels = []
        for s in ('1x28x28', '3x32x32'):
            bars = []
            for t in self.threads:
                e = R.lanes('ResNetBenchmark', 'trainStep', area='resnet', shape=s, threads=t)
                p = R.torch('resnet', t, 'train_%s' % s)
                bars.append((t, 64 / e.median if e else None, 64 / p['median'] if p else None))
            if any(b[1] or b[2] for b in bars):
                panels.append(('ResNet-20 train, %s, batch 64' % s, 'images/s', bars))
        for kind in ('LSTM', 'GRU', 'RNN'):
            bars = []
            for t in self.threads:
                e = R.lanes('RecurrentBenchmark', 'sequenceTrain', area='recurrent', kind=kind, threads=t)
                p = R.torch('recurrent', t, '%s_seq' % kind.lower())
                bars.append((t, 64 / e.median if e else None, 64 / p['median'] if p else None))
            if any(b[1] or b[2] for b in bars):
                panels.append(('%s 128->256 train, seq 100, batch 64' % kind, 'sequences/s', bars))
        if not panels:
            return None
        fig, axes = self.plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.6), squeeze=False)
        for ax, (title, unit, bars) in zip(axes[0], panels):
            xs = range(len(bars))
            w = 0.38
            ax.bar([x - w / 2 for x in xs], [b[1] or 0 for b in bars], w, color='tab:blue', label='Lanes')
            ax.bar([x + w / 2 for x in xs], [b[2] or 0 for b in bars], w, color='tab:orange', label='PyTorch 1.13')
            ax.set_xticks(list(xs))
            ax.set_xticklabels(['%s thread%s' % (b[0], '' if b[0] == '1' else 's') for b in bars])
            ax.set_title(title, fontsize=9)
            ax.set_ylabel(unit + ' (median; higher is better)', fontsize=8)
            ax.grid(axis='y', alpha=0.3)
        axes[0][0].legend(fontsize=8)
        fig.tight_layout()
        return self.chart('training.png', fig)

    def serve_rows(self):
        """[(label, threads, entries {'avgt', 'sample'}, torch case)]"""
        R = self.R
        rows = []
        serve = [e for e in R.entries if e.area == 'serve']
        if any(e.cls == 'ServeBenchmark' for e in serve):
            groups = {}
            for e in serve:
                if e.cls != 'ServeBenchmark':
                    continue
                shape = e.params.get('shape')
                key = (e.method, shape, e.params.get('threads', ''))
                groups.setdefault(key, {})[e.mode] = e
            for (method, shape, t), modes in groups.items():
                if method == 'lstmStep':
                    label, case = 'LSTM 128->256 step, batch 1 (`ServeBenchmark.lstmStep`)', 'lstm_step'
                elif shape:
                    label, case = 'ResNet-20 one image %s (`ServeBenchmark.%s`)' % (shape, method), 'resnet_' + shape
                else:
                    label, case = '`ServeBenchmark.%s`' % method, None
                rows.append((label, t, modes, case))
        else:
            groups = {}
            for e in serve:
                if e.cls == 'OrtServeBenchmark':
                    continue
                key = (e.cls, e.method, e.params.get('shape'), e.params.get('threads', ''))
                groups.setdefault(key, {})[e.mode] = e
            for (cls, method, shape, t), modes in groups.items():
                if method == 'lstmStep':
                    rows.append(('LSTM 128->256 step, batch 1 (`RecurrentBenchmark.lstmStep`)', t, modes, 'lstm_step'))
                else:
                    rows.append(('ResNet-20 one image %s (`ResNetBenchmark.inferOne`)' % shape, t, modes,
                                 'resnet_' + shape))
        order = {'lstm_step': 0, 'resnet_1x28x28': 1, 'resnet_3x32x32': 2}
        rows.sort(key=lambda r: (order.get(r[3], 9), r[1]))
        return rows

    def serve(self):
        R = self.R
        rows_in = self.serve_rows()
        if not rows_in:
            return
        rows = []
        for label, t, modes, case in rows_in:
            s = modes.get('sample')
            a = modes.get('avgt')
            p = R.torch('serve', t or '1', case) if case else None
            alloc = next((m.alloc for m in (a, s) if m and m.alloc is not None), None)
            lan = (s.pct(0.0), s.pct(50.0), s.pct(99.0)) if s else None
            pt = (p['min'], p['p50'], p['p99']) if p else None
            p2 = R.torch('serve', '2', case) if case and not t else None
            rows.append([label, t or '1 (caller)', '%s / %s / %s' % tuple(ftime(x) for x in lan) if lan else 'n/a',
                         ftime(a.mean) if a else (ftime(s.mean) if s else 'n/a'),
                         '%s' % fnum(alloc, 2) if alloc is not None else 'n/a',
                         '%s / %s / %s' % tuple(ftime(x) for x in pt) if pt else 'n/a',
                         ' / '.join(fratio(x, y) for x, y in zip(lan, pt)) if lan and pt else 'n/a',
                         '%s / %s' % (ftime(p2['p50']), ftime(p2['p99'])) if p2 else '-'])
            if t in ('1', '') and lan and pt and case:
                self.headline.append([label.split(' (')[0] + ', p50', ftime(lan[1]), 'PyTorch ' + ftime(pt[1]),
                                      '%s (p50)' % fratio(lan[1], pt[1]), '#serving-latency-and-allocation'])
        self.w('## Serving latency and allocation', '',
               'One request at a time on a warm model; every call timed on its own (JMH `SampleTime` for Lanes, '
               '`perf_counter_ns` around each call for PyTorch, inference under `torch.no_grad()` in eval mode). '
               'Bytes per call from JMH\'s `-prof gc` (`gc.alloc.rate.norm`, median over the iterations, from the '
               'AverageTime run when there is one: SampleTime\'s own bookkeeping adds about 20 bytes).', '')
        chart = self.latency_chart(rows_in)
        if chart:
            self.w('![Latency p50 and p99, Lanes and PyTorch](%s)' % chart, '')
        self.w(table(['case', 'threads', 'Lanes min / p50 / p99', 'Lanes mean', 'Lanes bytes/call',
                      'PyTorch min / p50 / p99', 'Lanes / PyTorch min / p50 / p99', 'PyTorch, 2 threads: p50 / p99'],
                     rows), '')
        if any(label.startswith('ResNet') and 'ServeBenchmark' in label for label, _, _, _ in rows_in):
            self.w('Lanes sessions run their kernels on the calling thread (one request, one thread; more '
                   'requests use more threads, each with its own session on the shared plan), so the ratio '
                   'compares one thread with one PyTorch thread; the last column shows PyTorch with two.', '')
        es = [m for _, _, modes, _ in rows_in for m in modes.values()]
        self.w('Commands:', '', commands(es, [r.get('command') for r in R.torch_runs('serve')]), '')

    def serve_onnx(self):
        """Captured plans against ONNX Runtime on the same models and weights (OrtServeBenchmark)."""
        R = self.R
        found = {}
        for e in R.entries:
            if e.area == 'serve' and e.cls == 'OrtServeBenchmark':
                if e.method == 'lanes':
                    key = (e.params.get('model'), 'lanes', e.params.get('lanesVariant', 'f32'))
                else:
                    key = (e.params.get('model'), 'ort', e.params.get('ortThreads', '1'))
                found.setdefault(key, {})[e.mode] = e
        if not found:
            return
        labels = {'mlp': 'MLP 784-512-512-10, one row', 'lstm_step': 'LSTM 128->256 step, batch 1',
                  'resnet_1x28x28': 'ResNet-20, one 1x28x28 image', 'resnet_3x32x32': 'ResNet-20, one 3x32x32 image'}
        variants = {'f32': 'F32, caller thread', 'f32-parallel': 'F32, 2 threads (parallel session)',
                    'bf16': 'BF16 weights, caller thread', 'bf16-parallel': 'BF16 weights, 2 threads'}

        def measured(modes):
            smp = modes.get('sample') if modes else None
            avg = modes.get('avgt') if modes else None
            alloc = next((m.alloc for m in (avg, smp) if m and m.alloc is not None), None)
            return ((smp.pct(50.0), smp.pct(99.0)) if smp else None), alloc

        rows = []
        for model in ['mlp', 'lstm_step', 'resnet_1x28x28', 'resnet_3x32x32']:
            ort1, ort1_alloc = measured(found.get((model, 'ort', '1')))
            ort2, _ = measured(found.get((model, 'ort', '2')))
            for variant in ['f32', 'f32-parallel', 'bf16', 'bf16-parallel']:
                modes = found.get((model, 'lanes', variant))
                if not modes:
                    continue
                lan, alloc = measured(modes)
                rows.append([labels.get(model, model), variants[variant],
                             '%s / %s' % tuple(ftime(x) for x in lan) if lan else 'n/a',
                             fnum(alloc, 2) if alloc is not None else 'n/a',
                             '%s / %s' % tuple(ftime(x) for x in ort1) if ort1 else 'n/a',
                             '%s / %s' % tuple(ftime(x) for x in ort2) if ort2 else 'n/a',
                             fratio(lan[0], ort1[0]) if lan and ort1 else 'n/a',
                             fratio(lan[0], ort2[0]) if lan and ort2 else 'n/a'])
                if lan and ort1 and variant == 'f32':
                    self.headline.append([labels.get(model, model) + ', p50', ftime(lan[0]),
                                          'ONNX Runtime ' + ftime(ort1[0]), '%s (p50)' % fratio(lan[0], ort1[0]),
                                          '#lanes-plans-and-onnx-runtime'])
                if lan and ort2 and variant == 'f32-parallel':
                    self.headline.append([labels.get(model, model) + ', 2 threads, p50', ftime(lan[0]),
                                          'ONNX Runtime, 2 threads ' + ftime(ort2[0]),
                                          '%s (p50)' % fratio(lan[0], ort2[0]), '#lanes-plans-and-onnx-runtime'])
            if ort1_alloc is not None:
                rows.append([labels.get(model, model), '(ONNX Runtime bytes/call: %s)' % fnum(ort1_alloc, 2),
                             '', '', '', '', '', ''])
        self.w('## Lanes plans and ONNX Runtime', '',
               'The same models and weights in both engines: `bench/onnx_export.py` builds each in PyTorch, '
               'exports it with `torch.onnx.export` and writes its weights as safetensors, which the Lanes module '
               'loads and `Plan.capture` compiles. ONNX Runtime\'s Java binding runs the ONNX file with all graph '
               'optimisations, its input and output tensors created once and reused. Before timing, both engines run '
               'the same input and must agree to float rounding (BF16 variants: to BF16\'s rounding). Lanes runs '
               'a session on the calling thread or a parallel session over two threads, with F32 weights or with '
               'BF16 weights (`CaptureOptions.withBf16Weights`, on the models made of matrix products); ONNX '
               'Runtime with one and with two intra-op threads. p50 and p99 from JMH `SampleTime`, bytes per call '
               'from `-prof gc`.', '')
        self.w(table(['model', 'Lanes', 'Lanes p50 / p99', 'Lanes bytes/call', 'ORT 1 thread p50 / p99',
                      'ORT 2 threads p50 / p99', 'Lanes / ORT 1 thread, p50', 'Lanes / ORT 2 threads, p50'], rows), '')
        es = [m for modes in found.values() for m in modes.values()]
        self.w('Commands:', '', commands(es, ['/usr/bin/python3 bench/onnx_export.py']), '')

    def latency_chart(self, rows_in):
        if not self.plt:
            return None
        R = self.R
        cases = []
        for label, t, modes, case in rows_in:
            if case not in [c[0] for c in cases]:
                cases.append((case, label.split(' (')[0]))
        if not cases:
            return None
        fig, axes = self.plt.subplots(1, len(cases), figsize=(3.8 * len(cases), 3.8), squeeze=False)
        for ax, (case, title) in zip(axes[0], cases):
            labels, p50, p99, colors = [], [], [], []
            scale, unit = (1e6, 'µs') if case == 'lstm_step' else (1e3, 'ms')
            for label, t, modes, c in rows_in:
                if c != case or not modes.get('sample'):
                    continue
                s = modes['sample']
                labels.append('Lanes\n%s thr' % (t or '1'))
                p50.append(s.pct(50.0) * scale)
                p99.append(s.pct(99.0) * scale)
                colors.append('tab:blue')
            for t in self.threads:
                p = R.torch('serve', t, case)
                if p:
                    labels.append('PyTorch\n%s thr' % t)
                    p50.append(p['p50'] * scale)
                    p99.append(p['p99'] * scale)
                    colors.append('tab:orange')
            xs = range(len(labels))
            ax.bar(xs, p99, 0.6, color=colors, alpha=0.35, label='p99')
            ax.bar(xs, p50, 0.6, color=colors, label='p50')
            ax.set_xticks(list(xs))
            ax.set_xticklabels(labels, fontsize=8)
            for x, v in zip(xs, p50):
                ax.text(x, v, '%.3g' % v, ha='center', va='bottom', fontsize=7)
            for x, v in zip(xs, p99):
                ax.text(x, v, '%.3g' % v, ha='center', va='bottom', fontsize=7, color='dimgray')
            ax.set_yscale('log')
            ax.set_ylabel('%s per call, log scale (lower is better)' % unit, fontsize=8)
            ax.set_title(title + '\n(solid: p50, light: p99)', fontsize=9)
            ax.grid(axis='y', alpha=0.3)
        fig.tight_layout()
        return self.chart('latency.png', fig)

    # -- scaling --

    def scaling(self):
        R = self.R
        parts = []
        # GEMM
        gemm = R.all('SgemmBenchmark', 'sgemm')
        ob = {(x['shape'], x['threads']): x for x in R.peers.get('openblas', {}).get('results', [])}
        cubes = sorted({int(e.params['shape'].split('x')[0]) for e in gemm if len(set(e.params['shape'].split('x'))) == 1})
        if cubes:
            rows = []
            for t in self.threads:
                for n in cubes:
                    s = '%dx%dx%d' % (n, n, n)
                    e = R.lanes('SgemmBenchmark', 'sgemm', shape=s, threads=t)
                    if not e:
                        continue
                    o = ob.get((s, t))
                    rows.append([n, t, ftime(e.median), '%.2f' % (e.median / n ** 3 * 1e12),
                                 fnum(gflops_of(2.0 * n ** 3, e.median)),
                                 ftime(o['median_s']) if o else 'n/a',
                                 '%.2f' % (o['median_s'] / n ** 3 * 1e12) if o else 'n/a'])
            parts.append(('GEMM (n x n x n, float32)',
                          'Time grows as n³ once the operands leave the caches; the picoseconds per multiply-add '
                          'column turns any M x K x N product into a time estimate (time ≈ M·K·N × ps / 1e12).',
                          table(['n', 'threads', 'Lanes median', 'Lanes ps per multiply-add', 'Lanes GFLOP/s',
                                 'OpenBLAS median', 'OpenBLAS ps per multiply-add'], rows), gemm))
        # LSTM hidden and sequence length
        lstm = R.all('ScalingBenchmark', 'lstmTrain') + R.all('ScalingBenchmark', 'lstmForward')
        if lstm:
            rows = []
            points = {(int(e.params['hidden']), int(e.params['seq']), int(e.params['batch']), e.params['threads'])
                      for e in lstm}
            sweep_threads = {p[3] for p in points}
            # RecurrentBenchmark's LSTM (128 -> 256, 100 steps, batch 64) is the same computation.
            points |= {(256, 100, 64, e.params['threads']) for e in R.all('RecurrentBenchmark', 'sequenceTrain',
                                                                         area='recurrent')
                       if e.params.get('kind') == 'LSTM' and e.params['threads'] in sweep_threads}
            hidden_seq = statistics.mode([p[1] for p in points])
            points = sorted(points, key=lambda p: (p[3], p[1] != hidden_seq, p[0], p[1]))
            for h, s, b, t in points:
                tr = R.lanes('ScalingBenchmark', 'lstmTrain', hidden=h, seq=s, batch=b, threads=t)
                fw = R.lanes('ScalingBenchmark', 'lstmForward', hidden=h, seq=s, batch=b, threads=t)
                if (h, s, b) == (256, 100, 64):
                    tr = tr or R.lanes('RecurrentBenchmark', 'sequenceTrain', area='recurrent', kind='LSTM', threads=t)
                    fw = fw or R.lanes('RecurrentBenchmark', 'sequenceForward', area='recurrent', kind='LSTM',
                                       threads=t)
                fwd_flops = 2.0 * s * b * 4 * h * (128 + h)
                ptr = R.torch_sized('scaling_lstm', t, 'lstm_seq', hidden=h, seq=s, batch=b)
                pfw = R.torch_sized('scaling_lstm', t, 'lstm_seq_fwd', hidden=h, seq=s, batch=b)
                rows.append([h, s, t, ftime(tr.median) if tr else 'n/a',
                             fnum(gflops_of(3 * fwd_flops, tr.median)) if tr else 'n/a',
                             ftime(fw.median) if fw else 'n/a',
                             fnum(gflops_of(fwd_flops, fw.median)) if fw else 'n/a',
                             ftime(ptr['median']) if ptr else 'n/a',
                             fratio(tr.median, ptr['median']) if tr and ptr else 'n/a',
                             ftime(pfw['median']) if pfw else 'n/a'])
            parts.append(('LSTM layer against hidden size and sequence length',
                          'LSTM 128 -> hidden, one layer, batch 64. GFLOP/s counts the GEMM work only: forward '
                          '2·T·B·4H·(128 + H) flops, forward + backward three times that; dividing a workload\'s '
                          'flops by the GFLOP/s of the nearest row predicts its time. Ratio: Lanes / PyTorch, '
                          'medians, forward + backward.',
                          table(['hidden', 'seq', 'threads', 'Lanes fwd + bwd', 'GFLOP/s', 'Lanes forward',
                                 'GFLOP/s', 'PyTorch fwd + bwd', 'Lanes / PyTorch', 'PyTorch forward'], rows), lstm))
        step = [(int(e.params['hidden']), e) for e in R.all('ScalingBenchmark', 'lstmStep')]
        if step:
            have = {(h, e.params['threads']) for h, e in step}
            step += [(256, e) for e in R.all('RecurrentBenchmark', 'lstmStep', area='recurrent')
                     if (256, e.params['threads']) not in have
                     and e.params['threads'] in {x.params['threads'] for _, x in step}]
            rows = []
            for h, e in sorted(step, key=lambda he: (he[1].params['threads'], he[0])):
                weights = 4.0 * 4 * h * (128 + h)
                p = R.torch_sized('scaling_step', e.params['threads'], 'lstm_step', hidden=h)
                rows.append([h, e.params['threads'], pair(*mm(e)), fnum(weights / 2 ** 20, 2),
                             fnum(weights / e.median / 1e9), pair(p['min'], p['median']) if p else 'n/a',
                             rpair(mm(e), (p['min'], p['median'])) if p else 'n/a'])
            parts.append(('LSTM step at batch 1 against hidden size',
                          'One `LSTMCell(128, H)` step through a `CellSession`. A batch-1 step reads every weight '
                          'once, so its time follows the weight bytes (4·4H·(128 + H)) over the memory bandwidth '
                          'of the cache level they fit in.',
                          table(['hidden', 'threads', 'Lanes min / median', 'weights MiB', 'weight GB/s',
                                 'PyTorch min / median', 'Lanes / PyTorch min / median'], rows),
                          [e for _, e in step]))
        depth = R.all('ScalingBenchmark', 'resnetTrain') + R.all('ScalingBenchmark', 'resnetInfer')
        if depth:
            rows = []
            pts = sorted({(e.params['threads'], int(e.params['depth']), int(e.params['batch'])) for e in depth})
            fits = {}
            for t, d, b in pts:
                tr = R.lanes('ScalingBenchmark', 'resnetTrain', depth=d, batch=b, threads=t)
                inf = R.lanes('ScalingBenchmark', 'resnetInfer', depth=d, batch=b, threads=t)
                suffix = '3x32x32' if d == 20 else '3x32x32_d%d' % d
                ptr = R.torch('scaling_resnet', t, 'train_' + suffix)
                pin = R.torch('scaling_resnet', t, 'infer_' + suffix)
                if tr:
                    fits.setdefault(t, []).append((d, tr.median))
                rows.append([d, b, t, ftime(tr.median) if tr else 'n/a', '%.0f' % (b / tr.median) if tr else 'n/a',
                             ftime(inf.median) if inf else 'n/a', ftime(ptr['median']) if ptr else 'n/a',
                             fratio(tr.median, ptr['median']) if tr and ptr else 'n/a',
                             ftime(pin['median']) if pin else 'n/a',
                             fratio(inf.median, pin['median']) if inf and pin else 'n/a'])
            fit_text = []
            for t, pts_ in sorted(fits.items()):
                f = fit_line([p[0] for p in pts_], [p[1] for p in pts_]) if len(pts_) >= 3 else None
                if f:
                    fit_text.append('%s thread(s): train step ≈ %s + %s per layer of depth' % (
                        t, ftime(f[0]) if f[0] > 0 else '-' + ftime(-f[0]), ftime(f[1])))
            parts.append(('ResNet against depth',
                          'CIFAR ResNet-depth (option A), 3 x 32 x 32; a training step (SGD with momentum) on a '
                          'batch, and one image in evaluation mode. Ratios: Lanes / PyTorch, medians.' +
                          (' Least-squares fit of the medians: ' + '; '.join(fit_text) + '.' if fit_text else ''),
                          table(['depth', 'batch', 'threads', 'Lanes train step', 'images/s', 'Lanes 1 image',
                                 'PyTorch train step', 'Lanes / PyTorch', 'PyTorch 1 image', 'Lanes / PyTorch'],
                                rows), depth))
        if not parts:
            return
        self.w('## Scaling', '', 'How cost grows with size, to predict other workloads. Medians.', '')
        chart = self.scaling_chart()
        if chart:
            self.w('![Cost against size](%s)' % chart, '')
        for title, text, tab, es in parts:
            self.w('### ' + title, '', text, '', tab, '')
        extra = [r.get('command') for k in ('scaling_lstm', 'scaling_step', 'scaling_resnet')
                 for r in R.torch_runs(k)]
        self.w('Commands (GEMM: see above):', '', commands(
            [e for _, _, _, es in parts[1:] if cubes for e in es] if cubes else
            [e for _, _, _, es in parts for e in es], extra), '')

    def scaling_chart(self):
        if not self.plt:
            return None
        R = self.R
        panels = []
        tr = R.all('ScalingBenchmark', 'lstmTrain')
        hs = sorted({(int(e.params['hidden']), e.params['seq']) for e in tr})
        if tr:
            seq_h = max({e.params['seq'] for e in tr}, key=lambda s: sum(1 for e in tr if e.params['seq'] == s))
            panels.append(('LSTM fwd + bwd vs hidden (seq %s, batch 64)' % seq_h, 'hidden', [
                ('Lanes %s thr' % t, sorted((int(e.params['hidden']), e.median) for e in tr
                                            if e.params['seq'] == seq_h and e.params['threads'] == t))
                for t in sorted({e.params['threads'] for e in tr})] + [
                ('PyTorch %s thr' % t, [(h, p['median']) for h, _ in hs for p in
                                        [R.torch_sized('scaling_lstm', t, 'lstm_seq', hidden=h, seq=seq_h, batch=64)]
                                        if p and _ == seq_h]) for t in self.threads]))
            borrowed = {e.params['threads']: e for e in R.all('RecurrentBenchmark', 'sequenceTrain', area='recurrent')
                        if e.params.get('kind') == 'LSTM'}

            def by_seq(t):
                pts = {int(e.params['seq']): e.median for e in tr
                       if e.params['hidden'] == '256' and e.params['batch'] == '64' and e.params['threads'] == t}
                if 100 not in pts and t in borrowed:
                    pts[100] = borrowed[t].median
                return sorted(pts.items())
            panels.append(('LSTM fwd + bwd vs sequence length (hidden 256)', 'seq', [
                ('Lanes %s thr' % t, by_seq(t)) for t in sorted({e.params['threads'] for e in tr})] + [
                ('PyTorch %s thr' % t, sorted((int(s), p['median']) for s in {e.params['seq'] for e in tr} | (
                    {'100'} if borrowed else set()) for p in
                                              [R.torch_sized('scaling_lstm', t, 'lstm_seq', hidden=256, seq=s,
                                                             batch=64)] if p)) for t in self.threads]))
        rt = R.all('ScalingBenchmark', 'resnetTrain')
        if rt:
            series = [('Lanes %s thr' % t, sorted((int(e.params['depth']), e.median) for e in rt
                                                  if e.params['threads'] == t))
                      for t in sorted({e.params['threads'] for e in rt})]
            for t in self.threads:
                pts = []
                for d in sorted({int(e.params['depth']) for e in rt}):
                    p = R.torch('scaling_resnet', t, 'train_3x32x32' + ('' if d == 20 else '_d%d' % d))
                    if p:
                        pts.append((d, p['median']))
                series.append(('PyTorch %s thr' % t, pts))
            panels.append(('ResNet train step vs depth (batch %s)' % rt[0].params['batch'], 'depth', series))
        panels = [p for p in panels if any(len(s[1]) >= 2 for s in p[2])]
        if not panels:
            return None
        fig, axes = self.plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8), squeeze=False)
        for ax, (title, xlabel, series) in zip(axes[0], panels):
            for name, pts in series:
                if len(pts) < 1:
                    continue
                color = 'tab:blue' if name.startswith('Lanes') else 'tab:orange'
                ls = '-' if name.endswith('1 thr') else '--'
                ax.plot([p[0] for p in pts], [p[1] * 1e3 for p in pts], ls, marker='o', color=color, label=name)
            if xlabel == 'hidden':
                ax.set_xscale('log', base=2)
            ax.set_yscale('log')
            xs = sorted({p[0] for _, pts in series for p in pts})
            ax.set_xticks(xs)
            ax.set_xticklabels([str(x) for x in xs])
            ax.minorticks_off() if xlabel == 'hidden' else None
            ax.set_xlabel(xlabel)
            ax.set_ylabel('ms (median)')
            ax.set_title(title, fontsize=9)
            ax.grid(alpha=0.3, which='both')
            ax.legend(fontsize=7)
        fig.tight_layout()
        return self.chart('scaling.png', fig)

    def distributed(self):
        R = self.R
        es = [e for e in R.all('CollectiveBenchmark') if e.area == 'distributed']
        if not es:
            return
        sums = []
        for floats, what in (('272000', "ResNet-20's parameters"), ('25600000', "ResNet-50's parameters")):
            e = R.lanes('CollectiveBenchmark', 'sumShards', area='distributed', floats=floats)
            if e:
                sums.append(['%s floats (%s)' % ('{:,}'.format(int(floats)), what), pair(*mm(e)),
                             '%.2f GB/s' % (int(floats) * 4 / e.median / 1e9)])
        steps = []
        one = R.lanes('CollectiveBenchmark', 'trainStep', area='distributed', workers='1')
        for w in ('1', '2'):
            e = R.lanes('CollectiveBenchmark', 'trainStep', area='distributed', workers=w)
            if e:
                steps.append([w, pair(*mm(e)), '%.2f' % (1 / e.median),
                              fratio(one.median, e.median) if one else 'n/a'])
        self.w('## Data-parallel training', '',
               'Ranks as threads of one JVM on loopback TCP (`dev.lanes.distributed`), each computing on its own '
               'thread. The shard-ordered sum over two ranks (what every data-parallel step does with the '
               'gradients), and a ResNet-20 training step (3x32x32, global batch 64 in two shards) on one worker '
               'holding both shards or two workers holding one each; both give the same bits.', '')
        if sums:
            self.w(table(['sum over 2 ranks', 'min / median', 'vector size / median'], sums), '')
        if steps:
            self.w(table(['workers', 'step min / median', 'steps/s (median)', 'speed-up over 1 worker'], steps), '')
        self.w('Commands:', '', commands(es), '')

    def steps(self):
        r = self.R.r
        rows = [[s['area'], s['name'], '%.0f s' % s['seconds'],
                 '%.2f' % s['cpus_busy_before'] if 'cpus_busy_before' in s else 'n/a',
                 '%.2f' % s['cpus_busy_others'] if 'cpus_busy_others' in s else 'n/a', s['status']]
                for s in r.get('steps', [])]
        self.w('## How this run went', '',
               'Total %s. Raw data: [%s](%s) (JMH JSON of every benchmark, the peers\' outputs, machine facts).' % (
                   ftime(r.get('duration_s')), os.path.basename(self.R.path),
                   os.path.relpath(self.R.path, os.path.dirname(os.path.abspath(self.out)))), '',
               'JMH options: %s.' % '; '.join('%s: `%s`' % (k, ' '.join(v)) for k, v in
                                              (r.get('jmh_options') or {}).items()), '',
               'Other processes\' CPU use, in CPUs (this machine has %s): in the quarter second before each step, '
               'and during it (the machine\'s busy time minus the harness\'s own and its children\'s; n/a where '
               'the run did not record it).' % self.R.machine.get('cpus'), '',
               table(['area', 'step', 'time', 'others before', 'others during', 'status'], rows,
                     ['---', '---', '---:', '---:', '---:', '---']), '')

    def build(self):
        self.header()
        body_start = len(self.md)
        self.machine()
        self.fma()
        self.gemm()
        self.elementwise()
        self.recurrent()
        self.conv()
        self.resnet()
        self.serve()
        self.serve_onnx()
        self.scaling()
        self.distributed()
        self.steps()
        # The recurrent area's batch-1 step duplicates the serving row when ServeBenchmark ran.
        if any(h[0].startswith('LSTM 128->256 step') and h[0].endswith('p50') for h in self.headline):
            self.headline = [h for h in self.headline if not (h[0].startswith('LSTM step') and '#recurrent' in h[4])]
        if self.headline:
            head = ['## Headline numbers', '',
                    'Medians; ratio = Lanes time / peer time (min / median), below 1 means Lanes is faster.', '',
                    table(['case', 'Lanes', 'peer', 'Lanes / peer', 'section'],
                          [h[:4] + ['[details](%s)' % h[4]] for h in self.headline]), '']
            self.md[body_start:body_start] = head
        text = '\n'.join(self.md).rstrip() + '\n'
        with open(self.out, 'w') as f:
            f.write(text)
        return self.out

    def update_readme(self, path):
        """Rewrites the headline table between README's headline markers."""
        start, end = '<!-- headline:start -->', '<!-- headline:end -->'
        with open(path) as f:
            text = f.read()
        if start not in text or end not in text:
            return False
        r, m = self.R.r, self.R.machine
        link = os.path.relpath(self.out, os.path.dirname(os.path.abspath(path)))
        cpu = '%s, %s CPUs%s' % (m.get('cpu_model'), m.get('cpus'),
                                 ', AVX-512' if 'avx512f' in m.get('flags', []) else '')
        lines = [start,
                 'From `%s` on %s (%s, JDK %s; %s mode%s), medians; every table, the machine and the '
                 'commands are in [%s](%s).' % (
                     r.get('command'), (r.get('started') or '')[:10], cpu,
                     (m.get('lanes_jdk') or '?').split(' ')[0], r.get('mode'),
                     ', rough numbers' if r.get('mode') == 'quick' else '', os.path.basename(self.out), link), '',
                 table(['case', 'Lanes', 'peer', 'Lanes / peer (min / median)'],
                       [['[%s](%s%s)' % (h[0], link, h[4])] + h[1:4] for h in self.headline])]
        if self.slower_on_two_threads():
            lines += ['', 'In this run Lanes was slower on two threads than on one in places (listed in %s); treat '
                          'its two-thread rows as suspect until a rerun confirms them.' % os.path.basename(self.out)]
        lines.append(end)
        text = text[:text.index(start)] + '\n'.join(lines) + text[text.index(end) + len(end):]
        with open(path, 'w') as f:
            f.write(text)
        return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('results', help='bench/results/<UTC time>.json')
    ap.add_argument('--out', default=None, help='report path (default: BENCHMARKS.md at the repository root)')
    ap.add_argument('--charts', default=None, help='chart directory (default: docs/bench next to the report)')
    ap.add_argument('--readme', default=None,
                    help='README whose headline block to rewrite (default: the repository README when the '
                         'report is the repository BENCHMARKS.md)')
    ap.add_argument('--no-readme', action='store_true', help='leave README.md alone')
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = os.path.abspath(a.out or os.path.join(root, 'BENCHMARKS.md'))
    charts = os.path.abspath(a.charts or os.path.join(os.path.dirname(out), 'docs', 'bench'))
    rep = Report(Results(a.results), out, charts)
    if rep.plt is None:
        print('report.py: matplotlib is missing (apt-get install python3-matplotlib); no charts', file=sys.stderr)
    print(rep.build())
    readme = a.readme
    if readme is None and out == os.path.join(root, 'BENCHMARKS.md'):
        readme = os.path.join(root, 'README.md')
    if readme and not a.no_readme and rep.update_readme(readme):
        print(readme)
    return 0


if __name__ == '__main__':
    sys.exit(main())
