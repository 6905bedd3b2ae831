#!/usr/bin/python3
"""The serving models of dev.lanes.bench.OrtServeBenchmark for ONNX Runtime: each built in
PyTorch with seeded weights (batch norms given random affine parameters and running
statistics, as after training), exported with torch.onnx.export (opset 13, eval mode), and its
state dict written beside it as safetensors under Lanes' parameter names, so that both engines
serve the same weights.

  mlp              Linear(784, 512) ReLU Linear(512, 512) ReLU Linear(512, 10), one row
  lstm_step        LSTMCell(128, 256), one step at batch 1: inputs x, h, c; outputs h', c'
  resnet_1x28x28   CIFAR-style ResNet-20 (option A shortcuts), one 1 x 28 x 28 image
  resnet_3x32x32   the same on one 3 x 32 x 32 image

Output: <dir>/<case>.onnx and <dir>/<case>.safetensors (F32; num_batches_tracked as F32).

Run: /usr/bin/python3 bench/onnx_export.py [--out target/bench-onnx]
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'tools', 'golden'))
import torch_models as tm  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('--out', default='target/bench-onnx')
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)

torch = tm.set_threads(1)
import torch.nn as nn  # noqa: E402
from safetensors_golden import save as write_safetensors  # noqa: E402


def randomise_batch_norms(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = 0.5 + torch.rand(n, generator=gen)
            m.bias.data = torch.rand(n, generator=gen) - 0.5
            m.running_mean.data = torch.rand(n, generator=gen) - 0.5
            m.running_var.data = 0.5 + torch.rand(n, generator=gen)


def lanes_resnet_names(state, depth):
    """torch_models' blocks.K to Lanes' layerS.B (three stages of (depth - 2) / 6 blocks)."""
    per = (depth - 2) // 6
    out = {}
    for k, v in state.items():
        if k.startswith('blocks.'):
            _, i, rest = k.split('.', 2)
            i = int(i)
            k = 'layer%d.%d.%s' % (i // per + 1, i % per, rest)
        out[k] = v
    return out


def export(name, model, args, inputs, outputs, state):
    model.eval()
    path = os.path.join(a.out, name + '.onnx')
    with torch.no_grad():
        torch.onnx.export(model, args, path, input_names=inputs, output_names=outputs, opset_version=13,
                          do_constant_folding=True)
    state = {k: v.detach().to(torch.float32) for k, v in state.items()}
    write_safetensors(os.path.join(a.out, name + '.safetensors'), state, {})
    print('wrote', path, file=sys.stderr)


torch.manual_seed(1)
gen = torch.Generator().manual_seed(2)

mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
export('mlp', mlp, (torch.randn(1, 784),), ['x'], ['y'], mlp.state_dict())


class Step(nn.Module):
    """One LSTMCell step with the state as inputs and outputs."""

    def __init__(self):
        super().__init__()
        self.cell = nn.LSTMCell(128, 256)

    def forward(self, x, h, c):
        return self.cell(x, (h, c))


step = Step()
export('lstm_step', step, (torch.randn(1, 128), torch.randn(1, 256), torch.randn(1, 256)), ['x', 'h', 'c'],
       ['h_next', 'c_next'], step.cell.state_dict())

for channels, size in ((1, 28), (3, 32)):
    net = tm.cifar_resnet(20, channels)
    randomise_batch_norms(net, gen)
    state = {k: v for k, v in lanes_resnet_names(net.state_dict(), 20).items()}
    export('resnet_%dx%dx%d' % (channels, size, size), net, (torch.randn(1, channels, size, size),), ['x'], ['y'],
           state)
