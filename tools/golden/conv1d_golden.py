#!/usr/bin/env python3
"""Writes src/test/resources/golden/conv1d.txt: PyTorch's F.conv1d outputs and gradients.

Run with Debian's PyTorch (apt install python3-torch): /usr/bin/python3 tools/golden/conv1d_golden.py

Format, one record per line, numbers as Python's repr of a float (exact round trip):
  case <name> <float64|float32> stride=<s> padding=<p> dilation=<d> groups=<g>
  tensor <key> <dims, comma-separated> <values...>
  end
keys: x w [b] y wy (the loss is (y * wy).sum()) grad.x grad.w [grad.b]
"""
import os
import torch
import torch.nn.functional as F

torch.manual_seed(20261205)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'test', 'resources', 'golden', 'conv1d.txt')

# name, batch (None: unbatched), c_in, c_out, length, kernel, stride, padding, dilation, groups, bias
CASES = [
    ('plain', 2, 3, 4, 11, 3, 1, 0, 1, 1, True),
    ('strided_padded', 3, 2, 5, 17, 5, 2, 2, 1, 1, True),
    ('dilated', 2, 4, 3, 16, 3, 1, 3, 2, 1, False),
    ('grouped', 2, 6, 4, 9, 3, 2, 1, 1, 2, True),
    ('depthwise', 1, 4, 8, 13, 4, 3, 0, 1, 4, True),
    ('unbatched', None, 3, 2, 7, 2, 1, 1, 3, 1, True),
    ('pointwise', 4, 5, 7, 1, 1, 1, 0, 1, 1, True),
]


def dims(t):
    return ','.join(str(d) for d in t.shape)


def values(t):
    return ' '.join(repr(float(v)) for v in t.detach().reshape(-1).tolist())


def main():
    lines = []
    for name, n, cin, cout, length, k, stride, pad, dil, groups, bias in CASES:
        shape = (cin, length) if n is None else (n, cin, length)
        x64 = torch.randn(*shape, dtype=torch.float64)
        w64 = torch.randn(cout, cin // groups, k, dtype=torch.float64) * 0.5
        b64 = torch.randn(cout, dtype=torch.float64) if bias else None
        for dtype in (torch.float64, torch.float32):
            x = x64.to(dtype).clone().requires_grad_(True)
            w = w64.to(dtype).clone().requires_grad_(True)
            b = b64.to(dtype).clone().requires_grad_(True) if bias else None
            y = F.conv1d(x, w, b, stride=stride, padding=pad, dilation=dil, groups=groups)
            wy = torch.randn(*y.shape, dtype=torch.float64).to(dtype)
            (y * wy).sum().backward()
            lines.append('case %s %s stride=%d padding=%d dilation=%d groups=%d'
                         % (name, 'float64' if dtype == torch.float64 else 'float32', stride, pad, dil, groups))
            for key, t in [('x', x), ('w', w), ('b', b), ('y', y), ('wy', wy), ('grad.x', x.grad), ('grad.w', w.grad),
                           ('grad.b', b.grad if bias else None)]:
                if t is not None:
                    lines.append('tensor %s %s %s' % (key, dims(t), values(t)))
            lines.append('end')
    with open(OUT, 'w') as out:
        out.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
