#!/usr/bin/python3
"""PyTorch serving latency, the shapes of dev.lanes.bench.ServeBenchmark: one call at a time,
each call timed on its own, float32 on the CPU, inference under torch.no_grad().

  lstm_step          torch.nn.LSTMCell(128, 256), one step at batch 1, the state (h, c) fed
                     back from call to call
  resnet_1x28x28     CIFAR-style ResNet-20 (option A shortcuts) in eval mode, one image
  resnet_3x32x32     (1 x 1 x 28 x 28 and 1 x 3 x 32 x 32)

Method: each case warms up for --warmup seconds, then times single calls (time.perf_counter_ns
around each call) for --seconds seconds, at least 200 calls unless that takes more than five
times as long (or 5 s). Reported per case, in
microseconds: min, p50 (= median), p90, p99, p99.9, max, mean and the number of calls.
Percentiles are nearest-rank over the timed calls.

Threads: --threads N sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS before torch is imported and
torch.set_num_threads(N); OPENBLAS_CORETYPE is unset (OpenBLAS picks its kernels from the CPU).

Output: one JSON object on stdout ({"torch", "threads", "blas", "results": {case: {...}}}),
a table on stderr.

Run: /usr/bin/python3 bench/torch_serve.py --threads 1 [--quick] [--only lstm_step]
"""
import argparse
import gc
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models as tm  # noqa: E402

CASES = ['lstm_step', 'resnet_1x28x28', 'resnet_3x32x32']

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--quick', action='store_true', help='shorter warm-up and timing')
ap.add_argument('--warmup', type=float, default=None, help='seconds per case (default 2, quick 0.5)')
ap.add_argument('--seconds', type=float, default=None, help='timed seconds per case (default 5, quick 1)')
ap.add_argument('--only', default=None, help='comma-separated subset of: ' + ','.join(CASES))
a = ap.parse_args()
warmup = a.warmup if a.warmup is not None else (0.5 if a.quick else 2.0)
seconds = a.seconds if a.seconds is not None else (1.0 if a.quick else 5.0)
names = CASES if not a.only else a.only.split(',')
unknown = [n for n in names if n not in CASES]
if unknown:
    ap.error('unknown case(s) %s; known: %s' % (','.join(unknown), ','.join(CASES)))

torch = tm.set_threads(a.threads)
BLAS = tm.blas_info()  # before any timing: stops when torch has no OpenBLAS
torch.manual_seed(1)


def make_case(name):
    if name == 'lstm_step':
        cell = torch.nn.LSTMCell(128, 256).eval()
        x = torch.randn(1, 128)
        state = [(torch.zeros(1, 256), torch.zeros(1, 256))]

        def step():
            with torch.no_grad():
                state[0] = cell(x, state[0])
        return step
    c, h, w = (int(v) for v in name.split('_')[1].split('x'))
    net = tm.cifar_resnet(20, c).eval()
    one = torch.randn(1, c, h, w)

    def infer():
        with torch.no_grad():
            net(one)
    return infer


def latencies(fn):
    t0 = time.perf_counter()
    calls = 0
    while time.perf_counter() - t0 < warmup or calls < 10:
        fn()
        calls += 1
    times = []
    clock = time.perf_counter_ns
    gc.disable()
    try:
        start = time.perf_counter()
        end, cap = start + seconds, start + max(5.0, 5 * seconds)
        while (time.perf_counter() < end or len(times) < 200) and time.perf_counter() < cap:
            t = clock()
            fn()
            times.append(clock() - t)
    finally:
        gc.enable()
    return sorted(v / 1e3 for v in times)  # microseconds


results = {}
print('torch %s, threads %d' % (torch.__version__, torch.get_num_threads()), file=sys.stderr)
print('%-16s %10s %10s %10s %10s %8s' % ('case (us)', 'min', 'p50', 'p99', 'mean', 'calls'), file=sys.stderr)
for name in names:
    v = latencies(make_case(name))
    r = results[name] = {
        'unit': 'us', 'min': round(v[0], 3), 'p50': round(tm.percentile(v, 50), 3),
        'median': round(statistics.median(v), 3), 'p90': round(tm.percentile(v, 90), 3),
        'p99': round(tm.percentile(v, 99), 3), 'p99.9': round(tm.percentile(v, 99.9), 3),
        'max': round(v[-1], 3), 'mean': round(statistics.fmean(v), 3), 'calls': len(v)}
    print('%-16s %10.2f %10.2f %10.2f %10.2f %8d' % (name, r['min'], r['p50'], r['p99'], r['mean'], r['calls']),
          file=sys.stderr)
print(json.dumps({'torch': torch.__version__, 'threads': a.threads, 'blas': BLAS,
                  'results': results}))
