#!/usr/bin/env python3
"""Writes src/test/resources/golden/recurrent_training.txt: PyTorch's parameter trajectories (float64)
when an optimizer trains its recurrent layers (nn.RNN, nn.LSTM, nn.GRU) and cells (nn.RNNCell,
nn.LSTMCell) for a few steps on a fixed input and target. PyTorch keeps two biases per layer and
direction (bias_ih, bias_hh) and the optimizer moves each by the gradient of their sum, so these
trajectories tell a module that keeps PyTorch's pair from one that keeps their sum.

Run with Debian's PyTorch (apt install python3-torch): python3 tools/golden/recurrent_training_golden.py

Format, one record per line, numbers as Python's repr of a float (exact round trip):
  case <name> mode=<RNN_TANH|LSTM|GRU> kind=<layer|cell> input_size=<d> hidden_size=<N>
       num_layers=<L> bidirectional=<0|1> steps=<S> optimizer=<SGD|Adam> lr=<lr>
       momentum=<m> weight_decay=<wd>                               (all on one line)
  tensor <key> <dims, comma-separated or '-' for a scalar> <values...>
  ...
  end
The optimizer's other hyperparameters are PyTorch's defaults (SGD: dampening 0, no Nesterov;
Adam: betas (0.9, 0.999), eps 1e-8, no amsgrad; momentum is written as 0 for Adam).
Keys, in this order:
  param.<name>       every state_dict() entry in its order (PyTorch's default init, seeded)
  input              [T, B, d], time-major; a cell steps through it one time step at a time
  h0, c0             the initial state, only when the case passes one (c0 for LSTM only)
  target             the target of the loss, shaped like the output
  then for each step k = 1..S:
  loss.<k>           the loss before step k: mse_loss(output, target), where the output of a
                     layer is its output sequence and that of a cell is its h at every time step,
                     stacked to [T, B, N]
  step<k>.<name>     every state_dict() entry after step k (zero_grad, forward, backward, step)
"""
import os
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20260417)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'test', 'resources', 'golden',
                   'recurrent_training.txt')
STEPS = 4


def dims(t):
    return ','.join(str(d) for d in t.shape) if t.dim() > 0 else '-'


def values(t):
    return ' '.join(repr(float(v)) for v in t.detach().reshape(-1).tolist())


def r(*shape):
    return torch.randn(*shape, dtype=torch.float64)


def forward(module, kind, mode, x, given):
    """The output the loss reads: a layer's output sequence, or a cell's h at every step, stacked."""
    if kind == 'layer':
        if not given:
            return module(x)[0]
        return module(x, tuple(given) if mode == 'LSTM' else given[0])[0]
    state = tuple(given) if given else None
    hs = []
    for t in range(x.shape[0]):
        if mode == 'LSTM':
            state = module(x[t], state)
            hs.append(state[0])
        else:
            state = module(x[t], state[0] if isinstance(state, tuple) else state)
            hs.append(state)
    return torch.stack(hs, 0)


def case(lines, name, mode, kind, module, d, n, t, b, optimizer, lr, momentum=0.0, weight_decay=0.0, layers=1,
         bidir=False, state=True):
    module = module.double()
    params = list(module.state_dict().keys())
    named = dict(module.named_parameters())
    x = r(t, b, d)
    shape = (layers * (2 if bidir else 1), b, n) if kind == 'layer' else (b, n)
    given = []
    if state:
        given = [r(*shape), r(*shape)] if mode == 'LSTM' else [r(*shape)]
    with torch.no_grad():
        target = r(*forward(module, kind, mode, x, given).shape)
    if optimizer == 'SGD':
        opt = torch.optim.SGD(module.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    else:
        opt = torch.optim.Adam(module.parameters(), lr=lr, weight_decay=weight_decay)

    lines.append('case %s mode=%s kind=%s input_size=%d hidden_size=%d num_layers=%d bidirectional=%d steps=%d '
                 'optimizer=%s lr=%r momentum=%r weight_decay=%r'
                 % (name, mode, kind, d, n, layers, int(bidir), STEPS, optimizer, lr, momentum, weight_decay))

    def tensor(key, v):
        lines.append('tensor %s %s %s' % (key, dims(v), values(v)))

    for p in params:
        tensor('param.' + p, named[p])
    tensor('input', x)
    for k, s in zip(['h0', 'c0'], given):
        tensor(k, s)
    tensor('target', target)
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        loss = F.mse_loss(forward(module, kind, mode, x, given), target)
        loss.backward()
        opt.step()
        tensor('loss.%d' % step, loss)
        for p in params:
            tensor('step%d.%s' % (step, p), named[p])
    lines.append('end')


def layer(lines, name, mode, d, n, t, b, optimizer, lr, layers=1, bidir=False, **kw):
    cls = {'RNN_TANH': nn.RNN, 'LSTM': nn.LSTM, 'GRU': nn.GRU}[mode]
    module = cls(d, n, num_layers=layers, bidirectional=bidir)
    case(lines, name, mode, 'layer', module, d, n, t, b, optimizer, lr, layers=layers, bidir=bidir, **kw)


def cell(lines, name, mode, d, n, t, b, optimizer, lr, **kw):
    module = nn.LSTMCell(d, n) if mode == 'LSTM' else nn.RNNCell(d, n)
    case(lines, name, mode, 'cell', module, d, n, t, b, optimizer, lr, **kw)


def main():
    lines = []
    sgd = dict(momentum=0.9, weight_decay=0.01)
    layer(lines, 'rnn_tanh_sgd', 'RNN_TANH', 3, 4, 4, 2, 'SGD', 0.1, **sgd)
    layer(lines, 'rnn_tanh_2layer_adam_nostate', 'RNN_TANH', 3, 4, 4, 2, 'Adam', 0.02, layers=2, weight_decay=0.05,
          state=False)
    layer(lines, 'rnn_tanh_plain_sgd', 'RNN_TANH', 3, 4, 4, 2, 'SGD', 0.1)
    layer(lines, 'lstm_sgd', 'LSTM', 3, 4, 4, 2, 'SGD', 0.1, **sgd)
    layer(lines, 'lstm_2layer_bidir_adam_nostate', 'LSTM', 3, 4, 5, 2, 'Adam', 0.02, layers=2, bidir=True,
          weight_decay=0.05, state=False)
    layer(lines, 'lstm_2layer_plain_sgd', 'LSTM', 3, 4, 4, 2, 'SGD', 0.1, layers=2)
    layer(lines, 'gru_sgd', 'GRU', 3, 4, 4, 2, 'SGD', 0.1, **sgd)
    layer(lines, 'gru_2layer_adam_nostate', 'GRU', 3, 4, 4, 2, 'Adam', 0.02, layers=2, weight_decay=0.05,
          state=False)
    cell(lines, 'lstm_cell_sgd', 'LSTM', 3, 4, 3, 2, 'SGD', 0.1, **sgd)
    cell(lines, 'lstm_cell_adam_nostate', 'LSTM', 3, 4, 3, 2, 'Adam', 0.02, weight_decay=0.05, state=False)
    cell(lines, 'rnn_cell_tanh_adam', 'RNN_TANH', 3, 4, 3, 2, 'Adam', 0.02, weight_decay=0.05)
    with open(OUT, 'w') as f:
        f.write('# Generated by tools/golden/recurrent_training_golden.py with PyTorch ' + torch.__version__ + '\n')
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
