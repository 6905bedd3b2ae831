#!/usr/bin/python3
"""PyTorch reference timings for the recurrent layers, float32 on the CPU.

The same cases measured from Python, for comparison with Lanes:

  lstm_step     torch.nn.LSTMCell(128, 256), one step, batch 1, inference
                under torch.no_grad() (input [1,128], state (h, c) [1,256]
                fed back call to call); microseconds per call.
  lstm_seq      torch.nn.LSTM(128, 256), 1 layer, time-major input
  gru_seq       [100, 64, 128] (seq 100, batch 64, requires_grad=False),
  rnn_seq       forward + backward of out.sum() + h_n.sum() (+ c_n.sum()
                for the LSTM) into the parameter grads (set to None before
                each iteration); RNN uses tanh. Milliseconds per iteration.
  *_seq_fwd     the same three layers, forward only under torch.no_grad();
                milliseconds per call.

Method: each case warms up for --warmup seconds (which also calibrates how
many calls make a batch of at least --batch-time seconds), then times that
batch --repeats times; "min" and "median" are per call, over the batches.

Threads: --threads N calls torch.set_num_threads(N) and, since Debian's
python3-torch does its GEMMs in OpenBLAS (pthread build), which ignores it,
also sets OPENBLAS_NUM_THREADS=N before torch is imported. OPENBLAS_CORETYPE
is unset unless --openblas-coretype names one, so OpenBLAS picks its kernels
from the CPU as in bench/compare-sgemm ('auto').

Output: one JSON object on stdout,
  {"torch": ..., "threads": N, "results": {name: {"unit", "min", "median",
   "repeats"}}},
and a table on stderr.

Sizes: --input, --hidden, --seq and --batch change the 128, 256, 100 and 64 above (the step
stays at batch 1), for the scaling tables of bench/run.

Run:  /usr/bin/python3 bench/torch_recurrent.py --threads 1 [--quick]
      [--only lstm_step,gru_seq] [--repeats 7] [--openblas-coretype Haswell]
      [--input 128] [--hidden 256] [--seq 100] [--batch 64]
"""
import argparse
import json
import os
import statistics
import sys
import time

CASES = ["lstm_step", "lstm_seq", "gru_seq", "rnn_seq",
         "lstm_seq_fwd", "gru_seq_fwd", "rnn_seq_fwd"]

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--repeats", type=int, default=None, help="timed batches (default 7, quick 3)")
ap.add_argument("--warmup", type=float, default=None, help="seconds per case (default 1.5, quick 0.5)")
ap.add_argument("--batch-time", type=float, default=None,
                help="minimum seconds per timed batch (default 0.2, quick 0.1)")
ap.add_argument("--quick", action="store_true", help="fewer repeats, shorter warm-up")
ap.add_argument("--only", default=None, help="comma-separated subset of: " + ",".join(CASES))
ap.add_argument("--openblas-coretype", default="auto",
                help="OPENBLAS_CORETYPE for torch's BLAS; 'auto' unsets it (default)")
ap.add_argument("--input", type=int, default=128, help="input features (default 128)")
ap.add_argument("--hidden", type=int, default=256, help="hidden features (default 256)")
ap.add_argument("--seq", type=int, default=100, help="sequence length (default 100)")
ap.add_argument("--batch", type=int, default=64, help="sequence batch size (default 64)")
args = ap.parse_args()
repeats = args.repeats or (3 if args.quick else 7)
warmup = args.warmup if args.warmup is not None else (0.5 if args.quick else 1.5)
batch_time = args.batch_time or (0.1 if args.quick else 0.2)
names = CASES if not args.only else args.only.split(",")
unknown = [n for n in names if n not in CASES]
if unknown:
    ap.error("unknown case(s) %s; known: %s" % (",".join(unknown), ",".join(CASES)))

# Must happen before torch (and so OpenBLAS / libgomp) is loaded.
os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(args.threads)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models as tm  # noqa: E402

tm.choose_core(args.openblas_coretype)

import torch  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)


def make_case(name):
    """Returns (unit, fn) where fn() runs one call of the case."""
    if name == "lstm_step":
        cell = torch.nn.LSTMCell(args.input, args.hidden)
        x = torch.randn(1, args.input)
        state = [(torch.zeros(1, args.hidden), torch.zeros(1, args.hidden))]

        def step():
            with torch.no_grad():
                state[0] = cell(x, state[0])
        return "us", step

    kind = name.split("_")[0]
    layer = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU,
             "rnn": lambda i, h: torch.nn.RNN(i, h, nonlinearity="tanh")}[kind](args.input, args.hidden)
    x = torch.randn(args.seq, args.batch, args.input, requires_grad=False)
    params = list(layer.parameters())

    if name.endswith("_fwd"):
        def fwd():
            with torch.no_grad():
                layer(x)
        return "ms", fwd

    def fwd_bwd():
        for p in params:
            p.grad = None
        out, hn = layer(x)
        loss = out.sum() + (hn[0].sum() + hn[1].sum() if kind == "lstm" else hn.sum())
        loss.backward()
    return "ms", fwd_bwd


blas = tm.blas_info()
print("torch %s, threads %d (torch.get_num_threads() = %d); BLAS: %s core=%s threads=%d" % (
    torch.__version__, args.threads, torch.get_num_threads(), blas["library"], blas["core"], blas["threads"]),
    file=sys.stderr)
print("%-13s %-4s %12s %12s" % ("case", "unit", "min", "median"), file=sys.stderr)
results = {}
for name in names:
    unit, fn = make_case(name)
    samples = tm.batches(fn, warmup, batch_time, repeats)
    scale = 1e6 if unit == "us" else 1e3
    r = results[name] = {"unit": unit, "min": round(min(samples) * scale, 3),
                         "median": round(statistics.median(samples) * scale, 3),
                         "repeats": repeats}
    print("%-13s %-4s %12.3f %12.3f" % (name, unit, r["min"], r["median"]), file=sys.stderr)
print("(%d timed batches per case)" % repeats, file=sys.stderr)

json.dump({"torch": torch.__version__, "threads": args.threads,
           "sizes": {"input": args.input, "hidden": args.hidden, "seq": args.seq, "batch": args.batch},
           "results": results}, sys.stdout)
print()
