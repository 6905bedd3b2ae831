#!/usr/bin/env python3
"""Writes src/test/resources/golden/pointwise.txt: PyTorch's values and gradients of the
pointwise operations declared in src/main/ops/pointwise.ops, in float64 and float32.

Run with Debian's PyTorch (apt install python3-torch): /usr/bin/python3 tools/golden/pointwise_golden.py

Format, one record per line, numbers as Python's repr of a float (exact round trip):
  case <op> <float64|float32>
  x <values...>      the input (1-D)
  y <values...>      op(x)
  dy <values...>     the output gradient
  dx <values...>     the input gradient, for y.backward(dy)
  end
"""
import os
import torch
import torch.nn.functional as F

torch.manual_seed(20261205)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'test', 'resources', 'golden', 'pointwise.txt')

OPS = {
    'GELU': lambda x: F.gelu(x),
    'GELU_TANH': lambda x: F.gelu(x, approximate='tanh'),
    'SILU': lambda x: F.silu(x),
}


def values(t):
    return ' '.join(repr(float(v)) for v in t.detach().reshape(-1).tolist())


def main():
    base = torch.cat([torch.linspace(-9, 9, 73, dtype=torch.float64),
                      torch.randn(40, dtype=torch.float64) * 3,
                      torch.tensor([0.0, -0.0, 1e-8, -1e-8, 20.0, -20.0], dtype=torch.float64)])
    dy = torch.randn(base.numel(), dtype=torch.float64)
    lines = []
    for name, f in OPS.items():
        for dtype in (torch.float64, torch.float32):
            x = base.to(dtype).clone().requires_grad_(True)
            y = f(x)
            g = dy.to(dtype)
            y.backward(g)
            lines.append('case %s %s' % (name, 'float64' if dtype == torch.float64 else 'float32'))
            lines.append('x ' + values(x))
            lines.append('y ' + values(y))
            lines.append('dy ' + values(g))
            lines.append('dx ' + values(x.grad))
            lines.append('end')
    with open(OUT, 'w') as out:
        out.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
