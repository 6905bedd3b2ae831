#!/usr/bin/env python3
"""Safetensors files between PyTorch and Lanes, with the format written and read by hand (struct
and json; the safetensors package is not needed).

Write the fixture, from the repository root, with Debian's PyTorch (apt install python3-torch):

    /usr/bin/python3 tools/golden/safetensors_golden.py

  writes src/test/resources/golden/lstm.safetensors: a seeded torch.nn.LSTM(3, 4, num_layers=2)
  in float32, its state_dict() under PyTorch's names (weight_ih_l0, ..., bias_hh_l1), and
  test.input [5, 2, 3], test.output [5, 2, 4], test.h_n and test.c_n [2, 2, 4] from running it
  with zero initial state. Laid out as the reference writer does: metadata first, tensors sorted
  by dtype alignment then name, the header padded with spaces to a multiple of 8.
  SafeTensorsInteropTest loads it into dev.lanes.nn.LSTM and compares the outputs.

  It also writes src/test/resources/golden/resnet8.safetensors: a seeded CIFAR-style ResNet-8
  (torchvision BasicBlock layout, 16/32/64 channels, projection shortcuts "downsample.0/.1",
  3 input channels, 10 classes) whose batch norms ran 3 training batches (so the running
  statistics are not the defaults), its state_dict() without num_batches_tracked (an int64 that
  Lanes does not need), and test.input [2, 3, 12, 12] with test.output, the eval-mode logits.
  ResNetInteropTest loads it into ResNets.cifar(8, 3, 10, PROJECTION, ...) and into a frozen
  ResNetPlan and compares.

Check a file written by Lanes:

    ./mvnw -q test -Dtest=SafeTensorsInteropTest -Dsurefire.failIfNoSpecifiedTests=false
    /usr/bin/python3 tools/golden/safetensors_golden.py --check target/safetensors/lanes_check.safetensors

  parses the file strictly (lengths, UTF-8, JSON without repeated keys, exactly the entry keys,
  contiguous offsets from 0 in the order of offset, sizes, file length, header padding and data
  alignment), compares the pattern.* tensors and the metadata with the values the test writes,
  loads the lstm.* state dict into torch.nn.LSTM(3, 4, num_layers=2), runs it on lstm_io.input
  and compares with Lanes' lstm_io.output (1e-5); the same for the ResNet-8 (resnet.* and
  resnet_io.*, eval mode, 1e-4). Prints OK, or fails with the reason.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT = os.path.join(ROOT, 'src', 'test', 'resources', 'golden', 'lstm.safetensors')
RESNET_OUT = os.path.join(ROOT, 'src', 'test', 'resources', 'golden', 'resnet8.safetensors')
MAX_HEADER = 100_000_000
DTYPES = {'F32': (np.dtype('<f4'), 4), 'F64': (np.dtype('<f8'), 8)}
TORCH_NAMES = {torch.float32: 'F32', torch.float64: 'F64'}


def save(path, tensors, metadata):
    """Writes tensors (name -> contiguous float tensor) and metadata (str -> str)."""
    order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header = {'__metadata__': metadata} if metadata else {}
    blobs, offset = [], 0
    for name in order:
        t = tensors[name].detach().contiguous()
        data = t.numpy().astype(t.numpy().dtype.newbyteorder('<'), copy=False).tobytes()
        header[name] = {'dtype': TORCH_NAMES[t.dtype], 'shape': list(t.shape),
                        'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def no_repeats(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError('a key appears twice in one object: %r' % keys)
    return dict(pairs)


def load(path):
    """Reads a file strictly; returns (name -> numpy array in header order, metadata, facts)."""
    with open(path, 'rb') as f:
        raw = f.read()
    assert len(raw) >= 8, 'shorter than the header length'
    (n,) = struct.unpack('<Q', raw[:8])
    assert n <= MAX_HEADER, 'header length %d over the limit' % n
    assert 8 + n <= len(raw), 'header length %d runs past the end' % n
    text = raw[8:8 + n].decode('utf-8', errors='strict')
    assert text.startswith('{'), 'the header does not begin with {'
    header = json.loads(text, object_pairs_hook=no_repeats)
    metadata = header.pop('__metadata__', None) or {}
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()), 'metadata not strings'
    data = raw[8 + n:]
    expected, arrays = 0, {}
    for name, e in sorted(header.items(), key=lambda kv: tuple(kv[1]['data_offsets'])):
        assert name, 'an empty name'
        assert set(e) == {'dtype', 'shape', 'data_offsets'}, '%s: keys %s' % (name, sorted(e))
        assert e['dtype'] in DTYPES, '%s: dtype %s' % (name, e['dtype'])
        dtype, size = DTYPES[e['dtype']]
        shape = e['shape']
        assert all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape), name
        begin, end = e['data_offsets']
        assert begin == expected, '%s: data begins at %d, expected %d' % (name, begin, expected)
        assert end - begin == math.prod(shape) * size, '%s: %d bytes for shape %s' % (name, end - begin, shape)
        assert (8 + n + begin) % size == 0, '%s: data not aligned to %d bytes' % (name, size)
        arrays[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape)
        expected = end
    assert expected == len(data), 'data is %d bytes, the tensors cover %d' % (len(data), expected)
    facts = {'padded': n % 8 == 0 and text.rstrip(' ') == text.rstrip()}
    return {k: arrays[k] for k in header}, metadata, facts


def lstm():
    return nn.LSTM(3, 4, num_layers=2)


class BasicBlock(nn.Module):
    """torchvision's BasicBlock with a projection shortcut where the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet8(nn.Module):
    """The CIFAR-style ResNet of depth 6n + 2 with n = 1, in torchvision's names."""

    def __init__(self, cin=3, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU()
        self.layer1 = nn.Sequential(BasicBlock(16, 16, 1))
        self.layer2 = nn.Sequential(BasicBlock(16, 32, 2))
        self.layer3 = nn.Sequential(BasicBlock(32, 64, 2))
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.layer3(self.layer2(self.layer1(y)))
        return self.fc(y.mean(dim=(2, 3)))


def resnet_state(module):
    return {k: v for k, v in module.state_dict().items() if not k.endswith('num_batches_tracked')}


def write_resnet_fixture():
    torch.manual_seed(20261127)
    module = ResNet8()
    module.train()
    with torch.no_grad():
        for _ in range(3):
            module(torch.randn(8, 3, 12, 12) * 1.5 + 0.3)
    module.eval()
    x = torch.randn(2, 3, 12, 12)
    with torch.no_grad():
        output = module(x)
    tensors = resnet_state(module)
    tensors.update({'test.input': x, 'test.output': output})
    save(RESNET_OUT, tensors, {'format': 'pt', 'producer': 'tools/golden/safetensors_golden.py',
                               'torch': torch.__version__})
    loaded, _, _ = load(RESNET_OUT)
    for k, t in tensors.items():
        assert np.array_equal(loaded[k], t.detach().numpy()), k
    print('wrote %s (%d bytes, %d tensors)' % (os.path.relpath(RESNET_OUT), os.path.getsize(RESNET_OUT),
                                               len(tensors)))


def write_fixture():
    torch.manual_seed(20261210)
    module = lstm()
    x = torch.randn(5, 2, 3)
    with torch.no_grad():
        output, (h_n, c_n) = module(x)
    tensors = dict(module.state_dict())
    tensors.update({'test.input': x, 'test.output': output, 'test.h_n': h_n, 'test.c_n': c_n})
    save(OUT, tensors, {'format': 'pt', 'producer': 'tools/golden/safetensors_golden.py',
                        'torch': torch.__version__})
    loaded, _, _ = load(OUT)
    for k, t in tensors.items():
        assert np.array_equal(loaded[k], t.detach().numpy()), k
    print('wrote %s (%d bytes, %d tensors)' % (os.path.relpath(OUT), os.path.getsize(OUT), len(tensors)))


def check(path):
    arrays, metadata, facts = load(path)
    assert facts['padded'], 'the header is not padded with spaces to a multiple of 8'
    # The values SafeTensorsInteropTest writes.
    want = {
        'pattern.f32': np.array([i * 0.25 - 0.5 for i in range(6)], dtype='<f4').reshape(2, 3),
        'pattern.f64': np.array([(i + 1) / 3 for i in range(4)], dtype='<f8'),
        'pattern.scalar': np.array(2.5, dtype='<f4'),
        'pattern.empty': np.zeros((0, 3), dtype='<f4'),
        'pattern.ünïcødé/名前': np.array([7.0], dtype='<f4'),
    }
    for k, v in want.items():
        assert k in arrays, 'missing %s' % k
        assert arrays[k].dtype == v.dtype and arrays[k].shape == v.shape, '%s: %s %s' % (k, arrays[k].dtype,
                                                                                     arrays[k].shape)
        assert np.array_equal(arrays[k], v), '%s: %s != %s' % (k, arrays[k], v)
    assert metadata == {'producer': 'lanes', 'note': 'ünïcødé "quoted"\n'}, metadata
    module = lstm()
    state = {k[len('lstm.'):]: torch.from_numpy(v.copy()) for k, v in arrays.items() if k.startswith('lstm.')}
    module.load_state_dict(state)
    with torch.no_grad():
        output, _ = module(torch.from_numpy(arrays['lstm_io.input'].copy()))
    diff = float((output - torch.from_numpy(arrays['lstm_io.output'].copy())).abs().max())
    assert diff <= 1e-5, 'PyTorch and Lanes LSTM outputs differ by %g' % diff
    resnet = ResNet8()
    state = {k[len('resnet.'):]: torch.from_numpy(v.copy()) for k, v in arrays.items() if k.startswith('resnet.')}
    missing = resnet.load_state_dict(state, strict=False)
    assert not missing.unexpected_keys, missing.unexpected_keys
    assert all(k.endswith('num_batches_tracked') for k in missing.missing_keys), missing.missing_keys
    resnet.eval()
    with torch.no_grad():
        logits = resnet(torch.from_numpy(arrays['resnet_io.input'].copy()))
    resnet_diff = float((logits - torch.from_numpy(arrays['resnet_io.output'].copy())).abs().max())
    assert resnet_diff <= 1e-4, 'PyTorch and Lanes ResNet-8 logits differ by %g' % resnet_diff
    print('OK: %s (%d tensors, LSTM outputs within %.1e, ResNet-8 logits within %.1e)'
          % (path, len(arrays), diff, resnet_diff))


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        check(sys.argv[2])
    elif len(sys.argv) == 1:
        write_fixture()
        write_resnet_fixture()
    else:
        sys.exit(__doc__)
