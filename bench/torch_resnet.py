#!/usr/bin/python3
"""PyTorch reference timings for the CIFAR-style ResNets (option A shortcuts), float32 on the
CPU, the shapes of dev.lanes.bench.ResNetBenchmark (and ScalingBenchmark's depth sweep): one SGD
step (forward, cross entropy, backward, update) on a batch of --batch images, and one image's
inference under torch.no_grad() in eval mode. Inputs 1x28x28 and 3x32x32, depth 20 by default.
Case train50: ResNet-50's training step on --batch50 images of 3x224x224 (dev.lanes.bench.ResNet50Benchmark).

Threads: --threads N sets torch.set_num_threads(N) and OPENBLAS_NUM_THREADS / OMP_NUM_THREADS
before torch is imported; OPENBLAS_CORETYPE is unset (OpenBLAS picks its kernels from the CPU).
Method: warm up, then time --repeats batches of calls; min and median per call.
Output: JSON on stdout, a table on stderr. Result names: train_<shape> and infer_<shape> for
ResNet-20, train_<shape>_d<depth> and infer_<shape>_d<depth> for other depths, train_resnet50.

Run: /usr/bin/python3 bench/torch_resnet.py --threads 1 [--repeats 7] [--quick]
     [--depths 20,56,110] [--batch 64] [--shapes 3x32x32] [--cases train,infer,train50] [--batch50 8]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models as tm  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--repeats', type=int, default=None, help='timed batches (default 7, quick 3)')
ap.add_argument('--quick', action='store_true', help='fewer repeats, shorter warm-up')
ap.add_argument('--depths', default='20', help='comma-separated depths 6n+2 (default 20)')
ap.add_argument('--batch', type=int, default=64, help='training batch size (default 64)')
ap.add_argument('--shapes', default='1x28x28,3x32x32')
ap.add_argument('--cases', default='train,infer', help='train, infer (ResNet-depth) and train50 (ResNet-50)')
ap.add_argument('--batch50', type=int, default=8, help='ResNet-50 training batch size (default 8)')
a = ap.parse_args()
repeats = a.repeats or (3 if a.quick else 7)
cases = set(a.cases.split(','))
warmup = 0.5 if a.quick else 1.5
torch = tm.set_threads(a.threads)
BLAS = tm.blas_info()  # before any timing: stops when torch has no OpenBLAS
import torch.nn.functional as F  # noqa: E402

torch.manual_seed(1)

results = {}
for depth in (int(d) for d in a.depths.split(',')):
    for name in a.shapes.split(',') if {'train', 'infer'} & cases else []:
        shape = tuple(int(v) for v in name.split('x'))
        net = tm.cifar_resnet(depth, shape[0])
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        x = torch.randn(a.batch, *shape)
        y = torch.arange(a.batch) % 10
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

        suffix = name if depth == 20 else '%s_d%d' % (name, depth)
        if 'train' in cases:
            s = tm.batches(step, warmup, 0.2 if a.quick else 0.5, repeats)
            results['train_' + suffix] = dict(tm.summary(s, 1e3, 'ms'), batch=a.batch, depth=depth)
        if 'infer' in cases:
            s = tm.batches(infer, warmup, 0.1 if a.quick else 0.2, repeats)
            results['infer_' + suffix] = dict(tm.summary(s, 1e3, 'ms'), batch=1, depth=depth)
if 'train50' in cases:
    net = tm.resnet50()
    # A small learning rate and labels spread over the classes, as in ResNet50Benchmark: a few
    # images are soon memorised, and a loss near zero makes the gradients subnormal, which would
    # time the CPU's slow path for them instead of the step.
    opt = torch.optim.SGD(net.parameters(), lr=1e-4, momentum=0.9)
    x = torch.randn(a.batch50, 3, 224, 224)
    y = torch.arange(a.batch50) * 389 % 1000

    def step50():
        net.train()
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()

    s = tm.batches(step50, 2 * warmup, 0.2 if a.quick else 0.5, repeats)
    results['train_resnet50'] = dict(tm.summary(s, 1e3, 'ms'), batch=a.batch50, depth=50)
for k, v in results.items():
    print('%-22s %9.3f %9.3f %s' % (k, v['min'], v['median'], v['unit']), file=sys.stderr)
print(json.dumps({'torch': torch.__version__, 'threads': a.threads, 'blas': BLAS, 'results': results}))
