#!/usr/bin/env python3
"""Writes src/test/resources/golden/recurrent.txt: PyTorch's outputs and gradients (float64) for its
recurrent layers (nn.RNN, nn.LSTM, nn.GRU) and cells (nn.RNNCell, nn.LSTMCell, nn.GRUCell).

Run with Debian's PyTorch (apt install python3-torch): python3 tools/golden/recurrent_golden.py

Format, one record per line, numbers as Python's repr of a float (exact round trip):
  case <name> mode=<RNN_TANH|RNN_RELU|LSTM|GRU> kind=<layer|cell> input_size=<d> hidden_size=<N>
       num_layers=<L> bidirectional=<0|1> batch_first=<0|1>          (all on one line)
  tensor <key> <dims, comma-separated or '-' for a scalar> <values...>
  ...
  end
Keys, in this order:
  param.<name>      every state_dict() entry in its order (PyTorch's default init, seeded)
  input             as passed to the module (batch-first layout when batch_first=1, or unbatched)
  h0, c0            the initial state, only when the case passes one (c0 for LSTM only);
                    for cells these are the hx passed (h0, or h0 and c0 for LSTMCell)
  out.output out.h_n out.c_n      layer outputs (c_n for LSTM only)
  out.h out.c                     cell outputs (c for LSTMCell only)
  w.<output>        a random weight per output, same shape as it
  loss              sum over outputs of (out * w).sum()
  grad.input grad.h0 grad.c0      (the last two only when given)
  grad.param.<name> every state_dict() entry in its order
"""
import os
import torch
import torch.nn as nn

torch.manual_seed(20261203)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'test', 'resources', 'golden', 'recurrent.txt')


def dims(t):
    return ','.join(str(d) for d in t.shape) if t.dim() > 0 else '-'


def values(t):
    return ' '.join(repr(float(v)) for v in t.detach().reshape(-1).tolist())


def r(*shape):
    return torch.randn(*shape, dtype=torch.float64)


def case(lines, name, mode, kind, module, x, state, d, n, layers=1, bidir=False, batch_first=False):
    """Runs module on x (and state: None, h0, or (h0, c0)), and writes the record of the case."""
    module = module.double()
    params = list(module.state_dict().keys())
    named = dict(module.named_parameters())
    x = x.requires_grad_(True)
    given = [] if state is None else ([state] if torch.is_tensor(state) else list(state))
    given = [s.requires_grad_(True) for s in given]
    if state is None:
        result = module(x)
    elif mode == 'LSTM':
        result = module(x, tuple(given))
    else:
        result = module(x, given[0])

    if kind == 'layer':
        output, hidden = result
        outs = [('output', output)] + ([('h_n', hidden[0]), ('c_n', hidden[1])] if mode == 'LSTM'
                                       else [('h_n', hidden)])
    else:
        outs = [('h', result[0]), ('c', result[1])] if mode == 'LSTM' else [('h', result)]
    weights = [(k, r(*o.shape)) for k, o in outs]
    loss = sum((o * w).sum() for (_, o), (_, w) in zip(outs, weights))
    loss.backward()

    state_keys = ['h0', 'c0'][:len(given)]
    lines.append('case %s mode=%s kind=%s input_size=%d hidden_size=%d num_layers=%d bidirectional=%d '
                 'batch_first=%d' % (name, mode, kind, d, n, layers, int(bidir), int(batch_first)))

    def tensor(key, t):
        lines.append('tensor %s %s %s' % (key, dims(t), values(t)))

    for p in params:
        tensor('param.' + p, named[p])
    tensor('input', x)
    for k, s in zip(state_keys, given):
        tensor(k, s)
    for k, o in outs:
        tensor('out.' + k, o)
    for k, w in weights:
        tensor('w.' + k, w)
    tensor('loss', loss)
    tensor('grad.input', x.grad)
    for k, s in zip(state_keys, given):
        tensor('grad.' + k, s.grad)
    for p in params:
        tensor('grad.param.' + p, named[p].grad)
    lines.append('end')


def layer(lines, name, mode, d, n, t, b, layers=1, bidir=False, batch_first=False, state=True, unbatched=False):
    """A multi-layer module; the state, when passed, is [L*D, B, N] (or [L*D, N] when unbatched)."""
    cls = {'RNN_TANH': nn.RNN, 'RNN_RELU': nn.RNN, 'LSTM': nn.LSTM, 'GRU': nn.GRU}[mode]
    extra = {'nonlinearity': mode[4:].lower()} if mode.startswith('RNN') else {}
    module = cls(d, n, num_layers=layers, bidirectional=bidir, batch_first=batch_first, **extra)
    x = r(t, d) if unbatched else (r(b, t, d) if batch_first else r(t, b, d))
    shape = (layers * (2 if bidir else 1),) + (() if unbatched else (b,)) + (n,)
    hx = None
    if state:
        hx = (r(*shape), r(*shape)) if mode == 'LSTM' else r(*shape)
    case(lines, name, mode, 'layer', module, x, hx, d, n, layers, bidir, batch_first)


def cell(lines, name, mode, d, n, b, state=True):
    """A single step; b=None means unbatched input [d] with state [N]."""
    if mode.startswith('RNN'):
        module = nn.RNNCell(d, n, nonlinearity=mode[4:].lower())
    else:
        module = {'LSTM': nn.LSTMCell, 'GRU': nn.GRUCell}[mode](d, n)
    shape = (n,) if b is None else (b, n)
    x = r(d) if b is None else r(b, d)
    hx = None
    if state:
        hx = (r(*shape), r(*shape)) if mode == 'LSTM' else r(*shape)
    case(lines, name, mode, 'cell', module, x, hx, d, n)


def main():
    lines = []
    layer(lines, 'rnn_tanh', 'RNN_TANH', 3, 5, 4, 2)
    layer(lines, 'rnn_relu_2layer_bidir_nostate', 'RNN_RELU', 4, 3, 5, 3, layers=2, bidir=True, state=False)
    layer(lines, 'rnn_tanh_batch_first', 'RNN_TANH', 2, 3, 3, 2, batch_first=True)
    layer(lines, 'lstm', 'LSTM', 3, 5, 4, 2)
    layer(lines, 'lstm_2layer_bidir_nostate', 'LSTM', 4, 3, 5, 3, layers=2, bidir=True, state=False)
    layer(lines, 'lstm_batch_first_2layer', 'LSTM', 3, 4, 3, 2, layers=2, batch_first=True)
    layer(lines, 'lstm_unbatched', 'LSTM', 3, 4, 3, None, unbatched=True)
    layer(lines, 'gru', 'GRU', 3, 5, 4, 2)
    layer(lines, 'gru_2layer_bidir_nostate', 'GRU', 4, 3, 5, 3, layers=2, bidir=True, state=False)
    layer(lines, 'gru_batch_first', 'GRU', 2, 3, 3, 2, batch_first=True)
    cell(lines, 'rnn_cell_tanh', 'RNN_TANH', 3, 5, 2)
    cell(lines, 'rnn_cell_relu_nostate', 'RNN_RELU', 3, 5, 2, state=False)
    cell(lines, 'lstm_cell', 'LSTM', 3, 4, 3)
    cell(lines, 'lstm_cell_nostate', 'LSTM', 3, 4, 3, state=False)
    cell(lines, 'gru_cell', 'GRU', 3, 5, 2)
    cell(lines, 'gru_cell_unbatched', 'GRU', 3, 5, None)
    with open(OUT, 'w') as f:
        f.write('# Generated by tools/golden/recurrent_golden.py with PyTorch ' + torch.__version__ + '\n')
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
