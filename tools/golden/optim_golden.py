#!/usr/bin/env python3
"""Writes src/test/resources/golden/optim.txt: PyTorch's parameter trajectories for every optimizer
option (six steps from fixed parameters with fixed gradients, float64), learning-rate schedules
and gradient clipping.

Run with Debian's PyTorch (apt install python3-torch): python3 tools/golden/optim_golden.py

Format, numbers as Python's repr of a float:
  opt <Class> <key=value;...>        hyperparameters as PyTorch names them
  param <index> <dims> <values...>   initial values
  grad <step> <index> <values...>    the gradient set before step <step> (1-based)
  after <step> <index> <values...>   the parameter after that step
  end
  sched <name> <lr values after each of 12 epochs...>
  clip <norm|value> <max> <norm_type> <total_norm or -> then the clipped gradients per tensor
"""
import os
import torch

torch.manual_seed(7)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'test', 'resources', 'golden', 'optim.txt')
STEPS = 6


def dims(t):
    return ','.join(str(d) for d in t.shape) if t.dim() > 0 else '-'


def values(t):
    return ' '.join(repr(float(v)) for v in t.detach().reshape(-1).tolist())


INIT = [torch.randn(3, 4, dtype=torch.float64), torch.randn(5, dtype=torch.float64)]
GRADS = [[torch.randn(3, 4, dtype=torch.float64), torch.randn(5, dtype=torch.float64)] for _ in range(STEPS)]


def trajectory(lines, cls, **kw):
    params = [p.clone().requires_grad_(True) for p in INIT]
    opt = cls(params, **kw)
    desc = ';'.join('%s=%s' % (k, v if not isinstance(v, tuple) else ','.join(str(x) for x in v))
                    for k, v in kw.items())
    lines.append('opt %s %s' % (cls.__name__, desc or '-'))
    for i, p in enumerate(params):
        lines.append('param %d %s %s' % (i, dims(p), values(p)))
    for s in range(STEPS):
        for i, p in enumerate(params):
            p.grad = GRADS[s][i].clone()
            lines.append('grad %d %d %s' % (s + 1, i, values(p.grad)))
        opt.step()
        for i, p in enumerate(params):
            lines.append('after %d %d %s' % (s + 1, i, values(p)))
    lines.append('end')


def schedules(lines):
    def run(name, make):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.5)
        sched = make(opt)
        lrs = []
        for _ in range(12):
            opt.step()
            sched.step()
            lrs.append(opt.param_groups[0]['lr'])
        lines.append('sched %s %s' % (name, ' '.join(repr(float(v)) for v in lrs)))

    S = torch.optim.lr_scheduler
    run('step_size=3;gamma=0.5', lambda o: S.StepLR(o, step_size=3, gamma=0.5))
    run('multistep=2,5,9;gamma=0.1', lambda o: S.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.1))
    run('exponential;gamma=0.9', lambda o: S.ExponentialLR(o, gamma=0.9))
    run('cosine;T_max=10;eta_min=0.01', lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01))
    run('linear;start_factor=0.1;end_factor=1.0;total_iters=4',
        lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=4))
    run('sequential;linear(0.25,1.0,3)+cosine(T_max=8);milestone=3',
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=3),
                                     S.CosineAnnealingLR(o, T_max=8)], milestones=[3]))


def clipping(lines):
    for kind, mx, nt in [('norm', 1.0, 2.0), ('norm', 0.5, float('inf')), ('norm', 100.0, 2.0), ('value', 0.3, 0)]:
        ps = [p.clone().requires_grad_(True) for p in INIT]
        for p, g in zip(ps, GRADS[0]):
            p.grad = g.clone()
        if kind == 'norm':
            total = torch.nn.utils.clip_grad_norm_(ps, mx, norm_type=nt)
            head = 'clip norm %r %r %r' % (mx, nt, float(total))
        else:
            torch.nn.utils.clip_grad_value_(ps, mx)
            head = 'clip value %r - -' % mx
        lines.append(head)
        for i, p in enumerate(ps):
            lines.append('clipped %d %s' % (i, values(p.grad)))


def main():
    lines = []
    O = torch.optim
    trajectory(lines, O.SGD, lr=0.1)
    trajectory(lines, O.SGD, lr=0.1, momentum=0.9)
    trajectory(lines, O.SGD, lr=0.05, momentum=0.8, dampening=0.3)
    trajectory(lines, O.SGD, lr=0.1, momentum=0.9, nesterov=True)
    trajectory(lines, O.SGD, lr=0.1, momentum=0.9, weight_decay=0.01)
    trajectory(lines, O.SGD, lr=0.1, weight_decay=0.1, momentum=0.5, nesterov=True)
    trajectory(lines, O.Adagrad)
    trajectory(lines, O.Adagrad, lr=0.1, lr_decay=0.01)
    trajectory(lines, O.Adagrad, lr=0.1, initial_accumulator_value=0.1, eps=1e-3)
    trajectory(lines, O.Adagrad, lr=0.05, weight_decay=0.05)
    trajectory(lines, O.Adadelta)
    trajectory(lines, O.Adadelta, lr=0.5, rho=0.5, eps=1e-3)
    trajectory(lines, O.Adadelta, weight_decay=0.1)
    trajectory(lines, O.RMSprop)
    trajectory(lines, O.RMSprop, lr=0.01, alpha=0.5, eps=1e-3)
    trajectory(lines, O.RMSprop, centered=True)
    trajectory(lines, O.RMSprop, momentum=0.9)
    trajectory(lines, O.RMSprop, centered=True, momentum=0.9, weight_decay=0.1)
    trajectory(lines, O.Adam)
    trajectory(lines, O.Adam, lr=0.01, betas=(0.8, 0.9), eps=1e-3)
    trajectory(lines, O.Adam, weight_decay=0.1)
    trajectory(lines, O.Adam, amsgrad=True)
    trajectory(lines, O.Adam, lr=0.01, amsgrad=True, weight_decay=0.05)
    trajectory(lines, O.AdamW)
    trajectory(lines, O.AdamW, lr=0.01, weight_decay=0.5)
    trajectory(lines, O.AdamW, amsgrad=True, betas=(0.5, 0.6))
    schedules(lines)
    clipping(lines)
    with open(OUT, 'w') as f:
        f.write('# Generated by tools/golden/optim_golden.py with PyTorch ' + torch.__version__ + '\n')
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
