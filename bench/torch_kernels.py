#!/usr/bin/python3
"""PyTorch reference timings for the elementwise kernels and the convolution layer, float32 on
the CPU, the shapes of dev.lanes.bench.ActivationBenchmark, PointwiseBenchmark and ConvBenchmark.

  sigmoid_<n>, tanh_<n>, exp_<n>   torch.sigmoid / tanh / exp(x, out=y), x uniform in [-10, 10)
  mul_<n>                          torch.mul(a, b, out=y)
  axpy_<n>                         y.add_(x, alpha=1e-9)
  sum_<n>, dot_<n>                 torch.sum(a), torch.dot(a, b)
  softmax_<n>                      torch.softmax(x.view(n / 256, 256), dim=1)
  conv_fwd                         Conv2d(16, 16, 3, padding=1) on [64, 16, 32, 32], no_grad
  conv_fwd_bwd                     the same, forward + backward of sum(output) with input and
                                   parameter gradients

Every time includes the Python call and torch's dispatcher (a few microseconds), which matter
at small n. Method: warm up, then time --repeats batches of calls; min and median per call.
Threads: --threads N as in the other scripts (set before torch is imported).
Output: JSON on stdout ({"torch", "threads", "results": {case: {unit, min, median}}}), a table
on stderr.

Run: /usr/bin/python3 bench/torch_kernels.py --threads 1 [--quick] [--n 1024,65536]
     [--only sigmoid,tanh,conv_fwd]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models as tm  # noqa: E402

OPS = ['sigmoid', 'tanh', 'exp', 'mul', 'axpy', 'sum', 'dot', 'softmax', 'conv_fwd', 'conv_fwd_bwd']

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--quick', action='store_true', help='fewer repeats, shorter warm-up')
ap.add_argument('--repeats', type=int, default=None, help='timed batches (default 7, quick 3)')
ap.add_argument('--n', default='1024,65536', help='elementwise sizes')
ap.add_argument('--only', default=None, help='comma-separated subset of: ' + ','.join(OPS))
a = ap.parse_args()
repeats = a.repeats or (3 if a.quick else 7)
warmup = 0.3 if a.quick else 1.0
batch_time = 0.1 if a.quick else 0.2
ops = OPS if not a.only else a.only.split(',')
bad = [o for o in ops if o not in OPS]
if bad:
    ap.error('unknown op(s) %s; known: %s' % (','.join(bad), ','.join(OPS)))
torch = tm.set_threads(a.threads)
BLAS = tm.blas_info()  # before any timing: stops when torch has no OpenBLAS
torch.manual_seed(7)


def elementwise(op, n):
    g = torch.Generator().manual_seed(42)
    x = torch.rand(n, generator=g) * 20 - 10
    b = torch.rand(n, generator=g) * 2 - 1
    y = torch.empty(n)
    fns = {
        'sigmoid': lambda: torch.sigmoid(x, out=y),
        'tanh': lambda: torch.tanh(x, out=y),
        'exp': lambda: torch.exp(x, out=y),
        'mul': lambda: torch.mul(x, b, out=y),
        'axpy': lambda: y.add_(x, alpha=1e-9),
        'sum': lambda: torch.sum(x),
        'dot': lambda: torch.dot(x, b),
        'softmax': lambda: torch.softmax(x.view(n // 256, 256), dim=1),
    }
    return fns[op]


def conv(backward):
    layer = torch.nn.Conv2d(16, 16, 3, padding=1, bias=True)
    x = (torch.rand(64, 16, 32, 32) * 2 - 1).requires_grad_(backward)
    if not backward:
        def fwd():
            with torch.no_grad():
                layer(x)
        return fwd

    def fwd_bwd():
        layer.zero_grad()
        x.grad = None
        layer(x).sum().backward()
    return fwd_bwd


results = {}
for op in ops:
    if op.startswith('conv'):
        s = tm.batches(conv(op == 'conv_fwd_bwd'), warmup, batch_time, repeats)
        results[op] = tm.summary(s, 1e3, 'ms')
        continue
    for n in (int(v) for v in a.n.split(',')):
        s = tm.batches(elementwise(op, n), warmup, batch_time, repeats)
        results['%s_%d' % (op, n)] = tm.summary(s, 1e6, 'us')
for k, v in results.items():
    print('%-16s %10.3f %10.3f %s' % (k, v['min'], v['median'], v['unit']), file=sys.stderr)
print(json.dumps({'torch': torch.__version__, 'threads': a.threads, 'blas': BLAS, 'results': results}))
