#!/usr/bin/env python3
"""Writes src/test/resources/golden/norm.txt: PyTorch's outputs and gradients (float64) for
nn.BatchNorm2d (two training steps, then evaluation) and for max, average and adaptive average
pooling.

Run with Debian's PyTorch (apt install python3-torch): /usr/bin/python3 tools/golden/norm_golden.py

Format, one record per line, numbers as Python's repr of a float (exact round trip):
  case <name> op=<batchnorm|functional|max|avg|adaptive> <key>=<value> ...      (attributes on one line;
       pairs are written h,w)
  tensor <key> <dims, comma-separated or '-' for a scalar> <values...>
  end
batchnorm keys: param.weight param.bias (when affine), then for s in step1 step2 (training mode)
  and eval: <s>.input <s>.out <s>.w <s>.grad.input <s>.grad.weight <s>.grad.bias, where the loss
  is (out * w).sum() and the parameter gradients are of that step alone; state.<name> is the
  state_dict() after the two training steps.
functional keys (F.batch_norm on any [N, C, *]): input running_mean running_var weight bias out w
  grad.input grad.weight grad.bias running_mean_after running_var_after.
pooling keys: input out w grad.input (loss (out * w).sum()).
"""
import os
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20261127)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'test', 'resources', 'golden', 'norm.txt')


def dims(t):
    return ','.join(str(d) for d in t.shape) if t.dim() > 0 else '-'


def values(t):
    return ' '.join(repr(float(v)) for v in t.detach().reshape(-1).tolist())


def tensor(lines, key, t):
    lines.append('tensor ' + key + ' ' + dims(t) + ' ' + values(t))


def r(*shape):
    return torch.randn(*shape, dtype=torch.float64)


def pair(p):
    return str(p[0]) + ',' + str(p[1])


def batchnorm(lines, name, n, c, h, w, momentum=0.1, eps=1e-5, affine=True):
    bn = nn.BatchNorm2d(c, eps=eps, momentum=momentum, affine=affine).double()
    if affine:
        with torch.no_grad():
            bn.weight.copy_(r(c))
            bn.bias.copy_(r(c))
    lines.append('case %s op=batchnorm n=%d c=%d h=%d w=%d momentum=%r eps=%r affine=%d'
                 % (name, n, c, h, w, momentum, eps, int(affine)))
    if affine:
        tensor(lines, 'param.weight', bn.weight)
        tensor(lines, 'param.bias', bn.bias)
    for step in ('step1', 'step2', 'eval'):
        if step == 'eval':
            for k, v in bn.state_dict().items():
                tensor(lines, 'state.' + k, v.double())
            bn.eval()
        x = (r(n, c, h, w) * 2 + 0.5).requires_grad_()
        out = bn(x)
        wt = r(*out.shape)
        bn.zero_grad()
        (out * wt).sum().backward()
        tensor(lines, step + '.input', x)
        tensor(lines, step + '.out', out)
        tensor(lines, step + '.w', wt)
        tensor(lines, step + '.grad.input', x.grad)
        if affine:
            tensor(lines, step + '.grad.weight', bn.weight.grad)
            tensor(lines, step + '.grad.bias', bn.bias.grad)
    lines.append('end')


def functional(lines, name, shape, training, momentum=0.1, eps=1e-5):
    """F.batch_norm on any [N, C, *] input with given running statistics, weight and bias."""
    c = shape[1]
    x = (r(*shape) * 1.5 - 0.3).requires_grad_()
    rm = r(c) * 0.5
    rv = torch.rand(c, dtype=torch.float64) + 0.5
    weight = r(c).requires_grad_()
    bias = r(c).requires_grad_()
    lines.append('case %s op=functional training=%d momentum=%r eps=%r' % (name, int(training), momentum, eps))
    tensor(lines, 'input', x)
    tensor(lines, 'running_mean', rm)
    tensor(lines, 'running_var', rv)
    tensor(lines, 'weight', weight)
    tensor(lines, 'bias', bias)
    out = F.batch_norm(x, rm, rv, weight, bias, training, momentum, eps)
    wt = r(*out.shape)
    (out * wt).sum().backward()
    tensor(lines, 'out', out)
    tensor(lines, 'w', wt)
    tensor(lines, 'grad.input', x.grad)
    tensor(lines, 'grad.weight', weight.grad)
    tensor(lines, 'grad.bias', bias.grad)
    tensor(lines, 'running_mean_after', rm)
    tensor(lines, 'running_var_after', rv)
    lines.append('end')


def pool(lines, name, op, shape, kernel=(2, 2), stride=None, padding=(0, 0), dilation=(1, 1), ceil=False,
         include_pad=True, out_size=(1, 1), ties=False):
    x = r(*shape)
    if ties:
        x = torch.round(x)
    x.requires_grad_()
    s = kernel if stride is None else stride
    if op == 'max':
        out = F.max_pool2d(x, kernel, s, padding, dilation, ceil_mode=ceil)
        attrs = 'kernel=%s stride=%s padding=%s dilation=%s ceil=%d' % (pair(kernel), pair(s), pair(padding),
                                                                         pair(dilation), int(ceil))
    elif op == 'avg':
        out = F.avg_pool2d(x, kernel, s, padding, ceil_mode=ceil, count_include_pad=include_pad)
        attrs = 'kernel=%s stride=%s padding=%s ceil=%d count_include_pad=%d' % (pair(kernel), pair(s), pair(padding),
                                                                                 int(ceil), int(include_pad))
    else:
        out = F.adaptive_avg_pool2d(x, out_size)
        attrs = 'output_size=%s' % pair(out_size)
    wt = r(*out.shape)
    (out * wt).sum().backward()
    lines.append('case %s op=%s %s' % (name, op, attrs))
    tensor(lines, 'input', x)
    tensor(lines, 'out', out)
    tensor(lines, 'w', wt)
    tensor(lines, 'grad.input', x.grad)
    lines.append('end')


def main():
    lines = []
    batchnorm(lines, 'bn', 2, 3, 4, 5)
    batchnorm(lines, 'bn_momentum_single_pixel', 5, 2, 1, 1, momentum=0.3, eps=1e-3)
    batchnorm(lines, 'bn_no_affine', 3, 2, 3, 2, affine=False)
    functional(lines, 'bn_functional_2d_train', (4, 3), True)
    functional(lines, 'bn_functional_3d_train', (2, 3, 5), True, momentum=0.5, eps=1e-3)
    functional(lines, 'bn_functional_3d_eval', (2, 3, 5), False)
    pool(lines, 'max_2x2', 'max', (2, 3, 4, 6))
    pool(lines, 'max_3x3_s2_p1', 'max', (2, 2, 7, 6), kernel=(3, 3), stride=(2, 2), padding=(1, 1))
    pool(lines, 'max_dilated_ceil', 'max', (1, 2, 9, 8), kernel=(3, 2), stride=(2, 3), padding=(1, 1),
         dilation=(2, 2), ceil=True)
    pool(lines, 'max_ties', 'max', (2, 2, 6, 6), kernel=(3, 3), stride=(1, 2), padding=(1, 0), ties=True)
    pool(lines, 'max_ceil', 'max', (1, 3, 5, 7), kernel=(2, 3), stride=(2, 2), ceil=True)
    pool(lines, 'avg_2x2', 'avg', (2, 3, 4, 6))
    pool(lines, 'avg_3x3_s2_p1', 'avg', (2, 2, 7, 6), kernel=(3, 3), stride=(2, 2), padding=(1, 1))
    pool(lines, 'avg_3x3_s2_p1_exclude_pad', 'avg', (2, 2, 7, 6), kernel=(3, 3), stride=(2, 2), padding=(1, 1),
         include_pad=False)
    pool(lines, 'avg_ceil_pad', 'avg', (1, 2, 5, 6), kernel=(3, 2), stride=(2, 2), padding=(1, 1), ceil=True)
    pool(lines, 'avg_ceil_exclude_pad', 'avg', (1, 2, 5, 6), kernel=(3, 2), stride=(2, 2), padding=(1, 1), ceil=True,
         include_pad=False)
    pool(lines, 'adaptive_1x1', 'adaptive', (2, 3, 5, 4), out_size=(1, 1))
    pool(lines, 'adaptive_3x2', 'adaptive', (2, 2, 7, 5), out_size=(3, 2))
    pool(lines, 'adaptive_upsample', 'adaptive', (1, 2, 3, 2), out_size=(5, 4))
    with open(OUT, 'w') as f:
        f.write('# Generated by tools/golden/norm_golden.py with PyTorch ' + torch.__version__ + '\n')
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
