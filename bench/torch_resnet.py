#!/usr/bin/python3
"""PyTorch reference timings for the CIFAR-style ResNet-20 (option A shortcuts), float32 on the
CPU, the shapes of dev.lanes.bench.ResNetBenchmark: one SGD step (forward, cross entropy,
backward, update) on a batch of 64, and one image's inference under torch.no_grad() in eval
mode. Inputs 1x28x28 and 3x32x32.

Threads: --threads N sets torch.set_num_threads(N) and OPENBLAS_NUM_THREADS / OMP_NUM_THREADS
before torch is imported; OPENBLAS_CORETYPE is unset (OpenBLAS picks its kernels from the CPU).
Method: warm up, then time --repeats batches of calls; min and median per call.
Output: JSON on stdout, a table on stderr.

Run: /usr/bin/python3 bench/torch_resnet.py --threads 1 [--repeats 7]
"""
import argparse
import json
import os
import statistics
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--repeats', type=int, default=7)
a = ap.parse_args()
os.environ['OPENBLAS_NUM_THREADS'] = str(a.threads)
os.environ['OMP_NUM_THREADS'] = str(a.threads)
os.environ.pop('OPENBLAS_CORETYPE', None)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(a.threads)
torch.manual_seed(1)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.pad = cout - cin
        self.stride = stride

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x
        if self.stride > 1 or self.pad:
            s = x[:, :, ::self.stride, ::self.stride]
            s = F.pad(s, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return F.relu(y + s)


class ResNet20(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        blocks, c = [], 16
        for i, w in enumerate([16, 32, 64]):
            for b in range(3):
                blocks.append(Block(c, w, 2 if i > 0 and b == 0 else 1))
                c = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        y = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.fc(y.mean(dim=(2, 3)))


def timed(fn, repeats, min_batch=0.5):
    t0 = time.perf_counter()
    calls = 0
    while time.perf_counter() - t0 < 1.5:
        fn()
        calls += 1
    per = (time.perf_counter() - t0) / calls
    n = max(1, int(min_batch / per))
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t) / n)
    return min(samples), statistics.median(samples)


results = {}
for shape in [(1, 28, 28), (3, 32, 32)]:
    net = ResNet20(shape[0])
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(64, *shape)
    y = torch.arange(64) % 10
    one = torch.randn(1, *shape)

    def step():
        net.train()
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()

    def infer():
        net.eval()
        with torch.no_grad():
            net(one)

    name = 'x'.join(map(str, shape))
    mn, md = timed(step, a.repeats)
    results['train_' + name] = {'unit': 'ms', 'min': mn * 1e3, 'median': md * 1e3}
    mn, md = timed(infer, a.repeats, 0.2)
    results['infer_' + name] = {'unit': 'ms', 'min': mn * 1e3, 'median': md * 1e3}
for k, v in results.items():
    print('%-16s %8.3f %8.3f %s' % (k, v['min'], v['median'], v['unit']), file=sys.stderr)
print(json.dumps({'torch': torch.__version__, 'threads': a.threads, 'results': results}))
