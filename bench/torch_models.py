"""PyTorch twins of the Lanes models the benchmarks time, and the timing helpers the PyTorch
scripts share. Import torch only after the thread environment is set (see set_threads).
"""
import math
import os
import statistics
import time

import openblas_core


def set_threads(threads, coretype='auto'):
    """Sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS and OPENBLAS_CORETYPE (see choose_core) before
    torch is imported, then torch's own count. Returns the torch module."""
    os.environ['OPENBLAS_NUM_THREADS'] = os.environ['OMP_NUM_THREADS'] = str(threads)
    choose_core(coretype)
    import torch
    torch.set_num_threads(threads)
    return torch


# Set when blas_info restarts the script with a core of its choosing, which 'auto' then keeps.
CHOSEN = 'LANES_BENCH_OPENBLAS_CORE_CHOSEN'


def choose_core(coretype):
    """OPENBLAS_CORETYPE before OpenBLAS loads: 'auto' unsets it (OpenBLAS picks from the CPU), or
    keeps the core blas_info chose when it restarted the script because OpenBLAS could not; any
    other value is OpenBLAS's core name."""
    if coretype != 'auto':
        os.environ['OPENBLAS_CORETYPE'] = coretype
    elif CHOSEN not in os.environ:
        os.environ.pop('OPENBLAS_CORETYPE', None)


def blas_info():
    """The OpenBLAS library torch loaded and the kernels (core) it uses; exits when there is none."""
    import ctypes
    import torch
    torch.mm(torch.ones(8, 8), torch.ones(8, 8))
    with open('/proc/self/maps') as f:
        libs = sorted({line.split()[-1] for line in f if 'libopenblas' in line})
    if not libs:
        # Debian's torch calls whatever libblas.so.3 is installed; without OpenBLAS that is the
        # reference BLAS, over ten times slower, which would make a meaningless peer.
        raise SystemExit('PyTorch loaded no OpenBLAS (it would run on the reference BLAS): '
                         'install libopenblas0-pthread, e.g. sudo apt-get install libopenblas0-pthread')
    lib = ctypes.CDLL(libs[0])
    lib.openblas_get_corename.restype = ctypes.c_char_p
    core = lib.openblas_get_corename().decode()
    wanted = openblas_core.fallback_core(core)
    if wanted:
        # OpenBLAS did not recognise this CPU (a VM's generic model name, say) and fell back to
        # SSE3 kernels; the core can only be chosen before the library loads, so start again.
        import sys
        print('OpenBLAS chose %s on a CPU with %s: rerunning with OPENBLAS_CORETYPE=%s'
              % (core, 'AVX-512' if wanted == 'SkylakeX' else 'AVX2', wanted), file=sys.stderr)
        os.environ['OPENBLAS_CORETYPE'] = wanted
        os.environ[CHOSEN] = wanted
        os.execv(sys.executable, [sys.executable] + sys.argv)
    return {'library': libs[0], 'core': core, 'threads': lib.openblas_get_num_threads()}


def cifar_resnet(depth, in_channels, classes=10):
    """He et al.'s CIFAR ResNet-depth with shortcut option A (subsampled identity, zero-padded
    channels), the layout of dev.lanes.nn.models.ResNets.cifar: 3 stages of (depth - 2) / 6
    basic blocks with 16, 32, 64 channels."""
    import torch.nn as nn
    import torch.nn.functional as F

    if depth < 8 or (depth - 2) % 6:
        raise ValueError('depth must be 6n + 2, got %d' % depth)
    per_stage = (depth - 2) // 6

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

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            blocks, c = [], 16
            for i, w in enumerate([16, 32, 64]):
                for b in range(per_stage):
                    blocks.append(Block(c, w, 2 if i > 0 and b == 0 else 1))
                    c = w
            self.blocks = nn.Sequential(*blocks)
            self.fc = nn.Linear(64, classes)

        def forward(self, x):
            y = self.blocks(F.relu(self.bn1(self.conv1(x))))
            return self.fc(y.mean(dim=(2, 3)))

    return Net()


def resnet50(classes=1000):
    """torchvision's ResNet-50 (bottlenecks with the stride on the 3x3 convolution, projection
    shortcuts where the shape changes), the layout of dev.lanes.nn.models.ResNets.resnet50;
    written here because Debian packages no torchvision."""
    import torch.nn as nn
    import torch.nn.functional as F

    def conv_bn(cin, cout, k, stride):
        return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout))

    class Bottleneck(nn.Module):
        def __init__(self, cin, width, stride):
            super().__init__()
            out = 4 * width
            self.conv1 = conv_bn(cin, width, 1, 1)
            self.conv2 = conv_bn(width, width, 3, stride)
            self.conv3 = conv_bn(width, out, 1, 1)
            self.shortcut = conv_bn(cin, out, 1, stride) if stride != 1 or cin != out else None

        def forward(self, x):
            y = F.relu(self.conv1(x))
            y = F.relu(self.conv2(y))
            y = self.conv3(y)
            return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = conv_bn(3, 64, 7, 2)
            blocks, c = [], 64
            for s, (n, w) in enumerate(zip((3, 4, 6, 3), (64, 128, 256, 512))):
                for b in range(n):
                    blocks.append(Bottleneck(c, w, 2 if s > 0 and b == 0 else 1))
                    c = 4 * w
            self.blocks = nn.Sequential(*blocks)
            self.fc = nn.Linear(c, classes)

        def forward(self, x):
            y = F.max_pool2d(F.relu(self.stem(x)), 3, 2, 1)
            return self.fc(self.blocks(y).mean(dim=(2, 3)))

    return Net()


def batches(fn, warmup, batch_time, repeats):
    """Warms fn up for `warmup` seconds (at least two calls), sizes a batch of calls to last
    `batch_time` seconds, times `repeats` batches. Returns per-call seconds of each batch."""
    import gc
    calls, t0 = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= warmup and calls >= 2:
            break
    per_batch = max(1, math.ceil(batch_time / (elapsed / calls)))
    samples = []
    gc.disable()
    try:
        for _ in range(repeats):
            t = time.perf_counter()
            for _ in range(per_batch):
                fn()
            samples.append((time.perf_counter() - t) / per_batch)
    finally:
        gc.enable()
    return samples


def summary(samples, scale, unit):
    """min, median (and the sample count) of per-call seconds, in `unit` (seconds * scale)."""
    return {'unit': unit, 'min': round(min(samples) * scale, 4),
            'median': round(statistics.median(samples) * scale, 4), 'repeats': len(samples)}


def percentile(sorted_values, q):
    """The q-th percentile (0..100) of sorted values, nearest rank (as JMH's SampleTime reports)."""
    if not sorted_values:
        return float('nan')
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]
