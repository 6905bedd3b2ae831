#!/usr/bin/python3
"""bench/run: Lanes' JMH suite and its peers on the same shapes, in one run.

  bench/run [--quick | --full] [--out DIR] [--report FILE | --no-report]
            [--only AREA,...] [--threads 1,2] [--no-peers] [--wait-idle S] [--list | --dry-run]

Quick mode takes under five minutes on an idle 2-core machine, full mode roughly two hours.

Areas, in the order they run (each runs its peer first, then Lanes):
  fma          FP32 FMA peak: the C probe (bench/probes/fma_peak.c) at 1 and 2 threads, and
               FmaPeakBenchmark (the same chains from Java)
  gemm         SgemmBenchmark against OpenBLAS cblas_sgemm (bench/openblas/sgemm_driver.c)
  elementwise  ActivationBenchmark (and PointwiseBenchmark in full mode) against torch ops
  recurrent    RecurrentBenchmark (LSTM step, sequence forward, forward + backward) against
               bench/torch_recurrent.py
  conv         ConvBenchmark against torch.nn.Conv2d (bench/torch_kernels.py)
  resnet       ResNetBenchmark's training step against bench/torch_resnet.py, and
               ResNet50Benchmark's (3x224x224, batch 8) against its train50 case
  serve        ServeBenchmark (AverageTime and SampleTime, -prof gc) against
               bench/torch_serve.py; without ServeBenchmark, RecurrentBenchmark.lstmStep and
               ResNetBenchmark.inferOne stand in. OrtServeBenchmark: captured plans against ONNX
               Runtime on the models bench/onnx_export.py writes (same weights)
  scaling      ScalingBenchmark: LSTM cost against hidden size and sequence length, the batch-1
               step against hidden size, ResNet cost against depth (PyTorch alongside; its LSTM
               sweeps in full mode only); the GEMM table doubles as the GEMM scaling table

Writes DIR/<UTC time>.json (default DIR: bench/results): every JMH result as JMH writes it
(plus the area), the peers' numbers, the machine facts and the command, then regenerates the
report (default BENCHMARKS.md at the repository root, charts in docs/bench/ next to it) with
bench/harness/report.py. Logs go to target/bench-run/<UTC time>/.
"""
import argparse
import datetime
import fcntl
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'bench'))
import openblas_core  # noqa: E402

PY = '/usr/bin/python3'
# glibc returns freed memory above 128 KB to the kernel, so a PyTorch process that allocates its
# activations per call takes fresh page faults on every call; on the development VM that made
# PyTorch's convolutions up to 14x slower. Keeping freed memory in the process is the usual
# tuning and the fairer comparison (the JVM's heap stays mapped too); --torch-default-malloc
# runs PyTorch without it.
TORCH_MALLOC = {'MALLOC_MMAP_THRESHOLD_': str(32 << 20), 'MALLOC_TRIM_THRESHOLD_': str(1 << 30)}
AREAS = ['fma', 'gemm', 'elementwise', 'recurrent', 'conv', 'resnet', 'serve', 'scaling', 'distributed']

# JMH iteration settings per mode and weight class. "fast": microseconds to tens of milliseconds
# per call; "step": the batch-1 recurrent step, whose many small kernels take the JIT longer to
# compile (about 4 s here); "plan": a captured plan, some of whose kernels run once per call (a
# ResNet's head: C2 compiles it after about 5,000 calls, several seconds); "heavy": a tenth of a
# second or more per call. Quick mode's warm-up
# is the shortest that reached steady state on the development machine (2 vCPUs); the Vector API
# runs hundreds of times slower until C2 has compiled the kernels.
JMH = {
    'quick': {'fast': ['-f', '1', '-wi', '5', '-w', '500ms', '-i', '3', '-r', '400ms'],
              'step': ['-f', '1', '-wi', '8', '-w', '500ms', '-i', '3', '-r', '400ms'],
              'plan': ['-f', '1', '-wi', '8', '-w', '1s', '-i', '3', '-r', '400ms'],
              'heavy': ['-f', '1', '-wi', '3', '-w', '1s', '-i', '2', '-r', '1s'],
              'huge': ['-f', '1', '-wi', '2', '-w', '1s', '-i', '3', '-r', '1s']},
    'full': {'fast': ['-f', '2', '-wi', '5', '-w', '1s', '-i', '8', '-r', '1s'],
             'step': ['-f', '2', '-wi', '5', '-w', '2s', '-i', '8', '-r', '1s'],
             'plan': ['-f', '2', '-wi', '5', '-w', '2s', '-i', '8', '-r', '1s'],
             'heavy': ['-f', '2', '-wi', '3', '-w', '2s', '-i', '5', '-r', '2s'],
             'huge': ['-f', '1', '-wi', '3', '-w', '2s', '-i', '5', '-r', '2s']},
}


def plan(mode):
    """Shapes and sizes per mode. Quick mode keeps what fits in five minutes on 2 vCPUs: one
    activation, the LSTM rows (step, forward + backward), the convolution's forward + backward,
    the ResNet-20 training step at 1 x 28 x 28, serving at one thread, and short sweeps; the LSTM
    sweeps borrow RecurrentBenchmark's 256-wide points (100 steps, and the batch-1 step)."""
    full = {
        'gemm_shapes': ['64x64x64', '128x128x128', '256x256x256', '512x512x512', '1024x1024x1024',
                        '2048x2048x2048', '64x384x1024', '1x384x1024'],
        'act_fns': ['sigmoid', 'tanh', 'exp'], 'act_n': ['1024', '65536'], 'pointwise': True,
        'rnn_kinds': ['LSTM', 'GRU', 'RNN'], 'rnn_forward': True, 'conv_forward': True,
        'resnet_shapes': ['1x28x28', '3x32x32'], 'resnet_infer': True, 'resnet50_batch': '8',
        'serve_modes': 'avgt,sample', 'serve_threads': ['1', '2'],
        'lstm_hidden': ['64', '128', '256', '512', '1024'], 'lstm_hidden_seq': '100',
        'lstm_seq': ['25', '50', '100', '200', '400'], 'lstm_forward': True,
        'step_hidden': ['64', '128', '256', '512', '1024'],
        'depths': ['20', '32', '44', '56', '110'], 'depth_batch': '16', 'depth_infer': True,
        'scaling_threads': ['1', '2'], 'scaling_torch': True,
        'ob_reps': 15, 'fma_seconds': 4.0, 'fma_reps': 9,
    }
    if mode == 'full':
        return full
    return dict(full, **{
        'gemm_shapes': ['64x64x64', '256x256x256', '1024x1024x1024'],
        'act_fns': ['tanh'], 'act_n': ['65536'], 'pointwise': False,
        'rnn_kinds': ['LSTM'], 'rnn_forward': False, 'conv_forward': False,
        'resnet_shapes': ['1x28x28', '3x32x32'], 'resnet_infer': False,
        'serve_modes': 'avgt,sample', 'serve_threads': ['1'],
        'lstm_hidden': ['64', '256', '1024'], 'lstm_hidden_seq': '25',
        'lstm_seq': ['25', '100'], 'lstm_forward': False, 'step_hidden': ['1024'],
        'depths': ['20', '32'], 'depth_infer': False,
        'scaling_threads': ['1'], 'scaling_torch': False,
        'ob_reps': 5, 'fma_seconds': 1.0, 'fma_reps': 5,
    })


def log(msg):
    print('bench/run: ' + msg, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    kw.setdefault('stderr', subprocess.PIPE)
    return subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE, **kw).stdout


class Run:
    def __init__(self, args):
        self.a = args
        self.mode = 'full' if args.full else 'quick'
        self.p = plan(self.mode)
        self.threads = args.threads.split(',')
        self.stamp = datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')
        self.out = os.path.abspath(args.out)
        self.logs = os.path.join(ROOT, 'target', 'bench-run', self.stamp)
        os.makedirs(self.out, exist_ok=True)
        os.makedirs(self.logs, exist_ok=True)
        self.result = {
            'format': 'lanes-bench/1', 'stamp': self.stamp, 'mode': self.mode,
            'command': 'bench/run ' + ' '.join(shlex.quote(x) for x in sys.argv[1:]),
            'started': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
            'threads': self.threads, 'jmh_options': JMH[self.mode], 'plan': self.p,
            'machine': {}, 'jmh': [], 'peers': {}, 'steps': [], 'notes': [],
            'torch_env': {} if args.torch_default_malloc else TORCH_MALLOC,
        }
        self.t0 = time.time()
        self.java = None
        self.cp = None
        self.benchmarks = []
        self.part = 0
        self.waited = 0
        self.idle_waited = 0
        self.areas = AREAS if not args.only else [x for x in AREAS if x in args.only.split(',')]

    # ---- steps -----------------------------------------------------------------------------

    def wait_for_jmh(self):
        """Waits while another JMH run holds JMH's lock file, so that two benchmark runs never share
        the machine (JMH itself refuses to start then). Returns the seconds waited."""
        path = os.path.join(tempfile.gettempdir(), 'jmh.lock')
        waited = 0
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError:
                return waited
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.lockf(fd, fcntl.LOCK_UN)
                return waited
            except OSError:
                if waited % 60 == 0:
                    log('another JMH run holds %s; waiting (%d s so far) ...' % (path, waited))
                time.sleep(5)
                waited += 5
            finally:
                os.close(fd)

    @staticmethod
    def cpu_busy(seconds):
        """CPUs' worth of busy time (all processes) over the next `seconds`."""
        def snap():
            with open('/proc/stat') as f:
                v = [int(x) for x in f.readline().split()[1:]]
            return sum(v), v[3] + v[4]  # total, idle + iowait
        t0, i0 = snap()
        time.sleep(seconds)
        t1, i1 = snap()
        return (os.cpu_count() or 1) * (1 - (i1 - i0) / max(1, t1 - t0))

    @staticmethod
    def cpu_times():
        """(busy CPU seconds of the whole machine, CPU seconds of this process and its finished
        children); the difference over a step is what other processes used meanwhile."""
        with open('/proc/stat') as f:
            v = [int(x) for x in f.readline().split()[1:]]
        hz = os.sysconf('SC_CLK_TCK')
        busy = (sum(v[:8]) - v[3] - v[4]) / hz  # user nice system idle iowait irq softirq steal
        own = sum(os.times()[:4])
        return busy, own

    def wait_for_idle(self):
        """With --wait-idle S: waits (up to S seconds over the whole run) until other processes use
        less than a third of a CPU. Returns (CPUs busy just before the step, seconds waited)."""
        busy = self.cpu_busy(0.25)
        waited = 0
        while busy > 0.33 and self.idle_waited < self.a.wait_idle:
            if waited == 0:
                log('other processes keep %.1f CPUs busy; waiting ...' % busy)
            time.sleep(4)
            waited += 5
            self.idle_waited += 5
            busy = self.cpu_busy(1.0)
        return busy, waited

    def step(self, area, name, fn):
        waited = self.wait_for_jmh()
        busy, idle_wait = self.wait_for_idle()
        waited += idle_wait
        self.waited += waited
        t = time.time()
        stat0, own0 = self.cpu_times()
        log('[%s] %s ...' % (area, name))
        status, note = 'ok', ''
        try:
            note = fn() or ''
        except Exception as e:  # one failed step must not lose the rest of the run
            status, note = 'failed', '%s: %s' % (type(e).__name__, e)
            log('[%s] %s FAILED: %s' % (area, name, note))
        secs = time.time() - t
        stat1, own1 = self.cpu_times()
        others = max(0.0, (stat1 - stat0) - (own1 - own0)) / secs if secs > 0 else 0.0
        self.result['steps'].append({'area': area, 'name': name, 'seconds': round(secs, 1),
                                     'waited_s': waited, 'cpus_busy_before': round(busy, 2),
                                     'cpus_busy_others': round(others, 2),
                                     'load': os.getloadavg()[0], 'status': status,
                                     'note': note})
        log('[%s] %s: %s in %.0f s%s' % (area, name, status, secs, (' (%s)' % note) if note and status == 'ok' else ''))

    # ---- build and machine ------------------------------------------------------------------

    def find_java(self):
        cands = []
        for env in ('LANES_BENCH_JAVA_HOME', 'JAVA_HOME'):
            if os.environ.get(env):
                cands.append(os.environ[env])
        if os.path.isdir('/usr/lib/jvm'):
            cands += sorted((os.path.join('/usr/lib/jvm', d) for d in os.listdir('/usr/lib/jvm')), reverse=True)
        for home in cands:
            release = os.path.join(home, 'release')
            java = os.path.join(home, 'bin', 'java')
            if not (os.path.isfile(release) and os.access(java, os.X_OK)):
                continue
            m = re.search(r'JAVA_VERSION="(\d+)', open(release).read())
            if m and int(m.group(1)) >= 25:
                return java
        raise RuntimeError('no JDK 25 found in $JAVA_HOME or /usr/lib/jvm (set LANES_BENCH_JAVA_HOME)')

    def build(self):
        self.java = self.find_java()
        cpfile = os.path.join(ROOT, 'target', 'bench-classpath.txt')
        cmd = [os.path.join(ROOT, 'mvnw'), '-q', '-f', os.path.join(ROOT, 'pom.xml'), '-Pbench', 'test-compile',
               'dependency:build-classpath', '-Dmdep.includeScope=test', '-Dmdep.outputFile=' + cpfile]
        with open(os.path.join(self.logs, 'build.log'), 'w') as f:
            subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT)
        self.cp = ':'.join([os.path.join(ROOT, 'target', 'test-classes'), os.path.join(ROOT, 'target', 'classes'),
                            open(cpfile).read().strip()])
        listing = sh([self.java, '-cp', self.cp, 'org.openjdk.jmh.Main', '-l'])
        self.benchmarks = [l.strip() for l in listing.splitlines() if l.strip().startswith('dev.lanes.')]
        return '%d benchmarks, %s' % (len(self.benchmarks), self.java)

    def machine(self):
        m = self.result['machine']
        cpu = open('/proc/cpuinfo').read()

        def field(name):
            r = re.search(r'^%s\s*:\s*(.*)$' % re.escape(name), cpu, re.M)
            return r.group(1).strip() if r else None
        flags = (field('flags') or '').split()
        m['cpu_model'] = field('model name')
        m['cpu_family_model'] = '%s/%s' % (field('cpu family'), field('model'))
        m['cpus'] = os.cpu_count()
        interesting = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512dq', 'avx512bw', 'avx512vl', 'avx512_bf16',
                       'avx512_fp16', 'avx512_vnni', 'amx_tile', 'hypervisor']
        m['flags'] = [f for f in interesting if f in flags]
        m['virtual_machine'] = 'hypervisor' in flags
        mem = re.search(r'MemTotal:\s+(\d+) kB', open('/proc/meminfo').read())
        m['memory_gib'] = round(int(mem.group(1)) / 2 ** 20, 1) if mem else None
        try:
            m['os'] = re.search(r'PRETTY_NAME="([^"]*)"', open('/etc/os-release').read()).group(1)
        except Exception:
            m['os'] = platform.system()
        m['kernel'] = platform.release()
        m['java'] = self.java
        m['java_version'] = subprocess.run([self.java, '-version'], capture_output=True, text=True).stderr.strip()
        info = sh([self.java, '--add-modules', 'jdk.incubator.vector', '-cp', self.cp, 'dev.lanes.cli.Lanes', 'info'],
                  stderr=subprocess.DEVNULL)
        m['lanes_info'] = info.strip()
        for key in ('provider', 'detail', 'threads', 'jdk'):
            r = re.search(r'^\s*%s\s*:\s*(.*)$' % key, info, re.M)
            m['lanes_' + key] = r.group(1).strip() if r else None
        sp = re.search(r'Species\[(\w+), (\d+), S_(\d+)_BIT\]', info)
        m['vector_species'] = sp.group(0) if sp else None
        m['vector_bits'] = int(sp.group(3)) if sp else None
        m['gcc'] = sh(['gcc', '--version']).splitlines()[0]
        try:
            m['openblas_package'] = sh(['dpkg-query', '-W', '-f=${Package} ${Version}', 'libopenblas0-pthread'])
        except Exception:
            m['openblas_package'] = None
        try:
            m['torch_package'] = sh(['dpkg-query', '-W', '-f=${Package} ${Version}', 'python3-torch'])
        except Exception:
            m['torch_package'] = None
        m['env_OPENBLAS_CORETYPE'] = os.environ.get('OPENBLAS_CORETYPE')
        m['load_before'] = os.getloadavg()
        try:
            rev = sh(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD']).strip()
            dirty = sh(['git', '-C', ROOT, 'status', '--porcelain', '--untracked-files=no']).strip()
            m['git'] = rev + (' (with uncommitted changes)' if dirty else '')
        except Exception:
            m['git'] = None
        return m['cpu_model']

    # ---- runners ------------------------------------------------------------------------------

    def has(self, regex):
        return any(re.search(regex, b) for b in self.benchmarks)

    def jmh(self, area, regex, params, weight, extra=()):
        """Runs JMH on the benchmarks matching regex; appends the results (tagged with the area)."""
        if not self.has(regex):
            raise RuntimeError('no benchmark matches %s' % regex)
        self.part += 1
        out = os.path.join(self.logs, 'jmh-%02d-%s.json' % (self.part, area))
        # The forks get the class path through a manifest jar: ONNX Runtime's native library
        # crashes when the JVM's command line is longer than about 4 KB.
        cmd = [self.java, '--add-modules', 'jdk.incubator.vector', '-Djmh.separateClasspathJAR=true', '-cp', self.cp,
               'org.openjdk.jmh.Main', regex]
        for k, v in params.items():
            cmd += ['-p', '%s=%s' % (k, ','.join(v))]
        cmd += JMH[self.mode][weight] + list(extra) + ['-rf', 'json', '-rff', out]
        if self.a.dry_run:
            log('  bench/jmh ' + ' '.join(shlex.quote(c) for c in cmd[cmd.index(regex):cmd.index('-rf')]))
            return 'dry run'
        logfile = os.path.join(self.logs, 'jmh-%02d-%s.log' % (self.part, area))
        with open(logfile, 'w') as f:
            f.write('+ ' + ' '.join(shlex.quote(c) for c in cmd) + '\n')
            f.flush()
            subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT)
        data = json.load(open(out)) if os.path.exists(out) else []
        for r in data:
            r['area'] = area
            r['command'] = 'bench/jmh ' + ' '.join(shlex.quote(c) for c in cmd[cmd.index('org.openjdk.jmh.Main') + 1:
                                                                                   cmd.index('-rf')])
        self.result['jmh'] += data
        errors = open(logfile).read().count('<failure>')
        if not data:
            raise RuntimeError('JMH wrote no results (see %s)' % logfile)
        return '%d results%s' % (len(data), ', %d benchmark(s) failed, see %s' % (errors, logfile) if errors else '')

    def torch(self, key, script, threads, args):
        """Runs a PyTorch script per thread count; stores its JSON under peers.torch[key][threads]."""
        res = self.result['peers'].setdefault('torch', {}).setdefault(key, {})
        env = dict(os.environ)
        if not self.a.torch_default_malloc:
            env.update(TORCH_MALLOC)
        for t in threads:
            cmd = [PY, os.path.join(ROOT, 'bench', script), '--threads', t] + list(args)
            if self.a.dry_run:
                log('  bench/%s --threads %s %s' % (script, t, ' '.join(args)))
                continue
            with open(os.path.join(self.logs, 'torch-%s-t%s.log' % (key, t)), 'a') as f:
                f.write('+ ' + ' '.join(cmd) + '\n')
                f.flush()
                text = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=f, text=True, cwd=ROOT,
                                      env=env).stdout
            data = json.loads(text)
            prefix = [] if self.a.torch_default_malloc else ['%s=%s' % kv for kv in sorted(TORCH_MALLOC.items())]
            data['command'] = ' '.join(prefix + ['bench/' + script, '--threads', t] + list(args))
            res.setdefault(t, []).append(data)
        return 'torch ' + ','.join(threads) + ' threads'

    def gcc_build(self, src, binary, extra):
        if os.path.exists(binary) and os.path.getmtime(binary) > os.path.getmtime(src):
            return
        os.makedirs(os.path.dirname(binary), exist_ok=True)
        cmd = ['gcc', '-O2', '-std=c11', '-Wall'] + extra[0] + [src, '-o', binary] + extra[1]
        log('+ ' + ' '.join(cmd))
        subprocess.run(cmd, check=True)

    # ---- areas ------------------------------------------------------------------------------

    def area_fma(self):
        def probe():
            src = os.path.join(ROOT, 'bench', 'probes', 'fma_peak.c')
            binary = os.path.join(ROOT, 'bench', 'probes', 'build', 'fma_peak')
            self.gcc_build(src, binary, (['-march=native'], ['-lpthread']))
            res = self.result['peers'].setdefault('fma_probe', {})
            if self.a.dry_run:
                log('  bench/probes/build/fma_peak --threads %s' % ','.join(self.threads))
                return 'dry run'
            for t in self.threads:
                text = sh([binary, '--threads', t, '--seconds', str(self.p['fma_seconds']),
                           '--reps', str(self.p['fma_reps'])])
                line = [l for l in text.splitlines() if not l.startswith('#')][-1]
                kv = dict(x.split('=', 1) for x in line.split())
                res[t] = {'isa': kv['isa'], 'lanes': int(kv['lanes']), 'chains': int(kv['chains']),
                          'gflops_best': float(kv['gflops_best']), 'gflops_median': float(kv['gflops_median']),
                          'detail': [l[2:] for l in text.splitlines() if l.startswith('#')],
                          'command': 'bench/probes/build/fma_peak --threads %s --seconds %s --reps %s' % (
                              t, self.p['fma_seconds'], self.p['fma_reps'])}
            return ', '.join('%s thread(s) %.0f GFLOP/s' % (t, res[t]['gflops_median']) for t in res)
        self.step('fma', 'C probe', probe)
        self.step('fma', 'FmaPeakBenchmark', lambda: self.jmh('fma', r'\.FmaPeakBenchmark\.', {}, 'fast'))

    def openblas(self, shapes):
        ma = subprocess.run(['gcc', '-print-multiarch'], capture_output=True, text=True).stdout.strip() or \
            platform.machine() + '-linux-gnu'
        inc, lib = '/usr/include/%s/openblas-pthread' % ma, '/usr/lib/%s/openblas-pthread' % ma
        src = os.path.join(ROOT, 'bench', 'openblas', 'sgemm_driver.c')
        binary = os.path.join(ROOT, 'bench', 'openblas', 'build', 'sgemm_driver')
        if os.path.exists(os.path.join(inc, 'cblas.h')):
            extra = (['-I' + inc], ['-L' + lib, '-Wl,-rpath,' + lib, '-lopenblas'])
        else:
            extra = ([], ['-lopenblas'])
        self.gcc_build(src, binary, extra)
        ob = self.result['peers'].setdefault('openblas', {'results': []})
        env = dict(os.environ)
        env.pop('OPENBLAS_CORETYPE', None)  # OpenBLAS picks its kernels from the CPU
        warm = '0.2' if self.mode == 'quick' else '0.5'
        if not self.a.dry_run:
            probe = subprocess.run([binary, '--threads', '1', '--reps', '1', '--warmup-s', '0', '8x8x8'], check=True,
                                   capture_output=True, text=True, env=env).stdout
            core = next((l.split(':', 1)[1].strip() for l in probe.splitlines() if l.startswith('# corename:')), '')
            wanted = openblas_core.fallback_core(core, env)
            if wanted:
                log('  OpenBLAS chose %s on this CPU, which runs %s kernels: using OPENBLAS_CORETYPE=%s'
                    % (core, wanted, wanted))
                env['OPENBLAS_CORETYPE'] = wanted
        core_env = ('OPENBLAS_CORETYPE=%s' % env['OPENBLAS_CORETYPE'] if 'OPENBLAS_CORETYPE' in env
                    else '-u OPENBLAS_CORETYPE')
        for t in self.threads:
            env['OPENBLAS_NUM_THREADS'] = t
            cmd = [binary, '--threads', t, '--reps', str(self.p['ob_reps']), '--warmup-s', warm] + shapes
            if self.a.dry_run:
                log('  bench/openblas/build/sgemm_driver ' + ' '.join(cmd[1:]))
                continue
            text = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
            for line in text.splitlines():
                if line.startswith('# config:'):
                    ob['config'] = line.split(':', 1)[1].strip()
                elif line.startswith('# corename:'):
                    ob['core'] = line.split(':', 1)[1].strip()
                elif line.startswith('shape='):
                    kv = dict(x.split('=', 1) for x in line.split())
                    ob['results'].append({'shape': kv['shape'], 'threads': kv['threads'], 'reps': int(kv['reps']),
                                          'min_s': float(kv['min_s']), 'median_s': float(kv['median_s']),
                                          'gflops_best': float(kv['gflops_best']),
                                          'gflops_median': float(kv['gflops_median'])})
            ob.setdefault('commands', []).append(
                'env %s OPENBLAS_NUM_THREADS=%s bench/openblas/build/sgemm_driver %s' % (
                    core_env, t, ' '.join(cmd[1:])))
        return 'core %s' % ob.get('core')

    def area_gemm(self):
        shapes = self.p['gemm_shapes']
        if not self.a.no_peers:
            self.step('gemm', 'OpenBLAS', lambda: self.openblas(shapes))
        self.step('gemm', 'SgemmBenchmark', lambda: self.jmh(
            'gemm', r'\.SgemmBenchmark\.sgemm$', {'shape': shapes, 'threads': self.threads}, 'fast'))

    def area_elementwise(self):
        fns, ns = self.p['act_fns'], self.p['act_n']
        pw_n = ['1024', '32768']
        if not self.a.no_peers:
            torch_n = sorted(set(ns + (pw_n if self.p['pointwise'] else [])), key=int)
            ops = fns + (['mul', 'axpy', 'sum', 'dot', 'softmax'] if self.p['pointwise'] else [])
            args = ['--n', ','.join(torch_n), '--only', ','.join(ops)] + (['--quick'] if self.mode == 'quick' else [])
            self.step('elementwise', 'PyTorch', lambda: self.torch('kernels', 'torch_kernels.py', self.threads, args))
        methods = 'lanesVector|lanesPool' + ('|mathLoop' if self.mode == 'full' else '')
        self.step('elementwise', 'ActivationBenchmark', lambda: self.jmh(
            'elementwise', r'\.ActivationBenchmark\.(%s)$' % methods, {'fn': fns, 'n': ns}, 'fast'))
        if self.p['pointwise']:
            self.step('elementwise', 'PointwiseBenchmark', lambda: self.jmh(
                'elementwise', r'\.PointwiseBenchmark\.(copy|mul|axpy|sum|dot|softmax)$', {'n': pw_n}, 'fast'))

    def area_recurrent(self):
        kinds = self.p['rnn_kinds']
        if not self.a.no_peers:
            only = ['lstm_step'] + ['%s_seq' % k.lower() for k in kinds]
            only += ['%s_seq_fwd' % k.lower() for k in kinds] if self.p['rnn_forward'] else []
            args = ['--only', ','.join(only)] + (['--quick'] if self.mode == 'quick' else [])
            self.step('recurrent', 'PyTorch', lambda: self.torch('recurrent', 'torch_recurrent.py', self.threads, args))
        self.step('recurrent', 'RecurrentBenchmark step', lambda: self.jmh(
            'recurrent', r'\.RecurrentBenchmark\.lstmStep$', {'threads': self.threads}, 'step'))
        self.step('recurrent', 'RecurrentBenchmark sequences', lambda: self.jmh(
            'recurrent', r'\.RecurrentBenchmark\.sequence(%s)$' % ('Train|Forward' if self.p['rnn_forward'] else 'Train'),
            {'kind': kinds, 'threads': self.threads},
            'heavy'))

    def area_conv(self):
        if not self.a.no_peers:
            args = ['--only', 'conv_fwd,conv_fwd_bwd' if self.p['conv_forward'] else 'conv_fwd_bwd']
            args += ['--quick'] if self.mode == 'quick' else []
            self.step('conv', 'PyTorch', lambda: self.torch('conv', 'torch_kernels.py', self.threads, args))
        self.step('conv', 'ConvBenchmark', lambda: self.jmh(
            'conv', r'\.ConvBenchmark\.(forward|forwardBackward)$' if self.p['conv_forward'] else
            r'\.ConvBenchmark\.forwardBackward$', {'threads': self.threads}, 'fast'))

    def area_resnet(self):
        shapes = self.p['resnet_shapes']
        cases = 'train,infer' if self.p['resnet_infer'] else 'train'
        if not self.a.no_peers:
            args = ['--shapes', ','.join(shapes), '--cases', cases] + (['--quick'] if self.mode == 'quick' else [])
            self.step('resnet', 'PyTorch', lambda: self.torch('resnet', 'torch_resnet.py', self.threads, args))
        methods = 'trainStep|inferOne' if self.p['resnet_infer'] else 'trainStep'
        self.step('resnet', 'ResNetBenchmark', lambda: self.jmh(
            'resnet', r'\.ResNetBenchmark\.(%s)$' % methods, {'shape': shapes, 'threads': self.threads}, 'heavy'))
        batch = self.p['resnet50_batch']
        if not self.a.no_peers:
            args = ['--cases', 'train50', '--batch50', batch] + (['--quick'] if self.mode == 'quick' else [])
            self.step('resnet', 'PyTorch ResNet-50', lambda: self.torch('resnet', 'torch_resnet.py', self.threads, args))
        self.step('resnet', 'ResNet50Benchmark', lambda: self.jmh(
            'resnet', r'\.ResNet50Benchmark\.trainStep$', {'batch': [batch], 'threads': self.threads}, 'huge'))

    def area_serve(self):
        th = [t for t in self.p['serve_threads'] if t in self.threads] or self.threads[:1]
        if not self.a.no_peers:
            args = ['--quick'] if self.mode == 'quick' else []
            self.step('serve', 'PyTorch', lambda: self.torch('serve', 'torch_serve.py', th, args))
        extra = ['-bm', self.p['serve_modes'], '-prof', 'gc']
        if self.has(r'\.ServeBenchmark\.'):
            # Sessions run on the calling thread: ServeBenchmark has no thread parameter.
            self.step('serve', 'ServeBenchmark', lambda: self.jmh('serve', r'\.ServeBenchmark\.', {}, 'step', extra))
        else:
            self.result['notes'].append(
                'dev.lanes.bench.ServeBenchmark is not in this build: the serving rows use '
                'RecurrentBenchmark.lstmStep (a CellSession) and ResNetBenchmark.inferOne instead.')
            self.step('serve', 'RecurrentBenchmark.lstmStep (stand-in)', lambda: self.jmh(
                'serve', r'\.RecurrentBenchmark\.lstmStep$', {'threads': th}, 'step', extra))
            self.step('serve', 'ResNetBenchmark.inferOne (stand-in)', lambda: self.jmh(
                'serve', r'\.ResNetBenchmark\.inferOne$', {'shape': ['1x28x28', '3x32x32'], 'threads': th},
                'fast', extra))
        if not self.a.no_peers and self.has(r'\.OrtServeBenchmark\.'):
            self.step('serve', 'ONNX export', self.export_onnx)
            # Plans with F32 weights on the calling thread and over two threads on every model, with
            # BF16 weights on the two models made of matrix products; ONNX Runtime with one and
            # two intra-op threads.
            ort_th = [t for t in ['1', '2'] if t in self.threads] or self.threads[:1]
            two = ['2'] if '2' in self.threads else []
            f32 = ['f32'] + (['f32-parallel'] if two else [])
            bf16 = ['bf16'] + (['bf16-parallel'] if two else [])
            self.step('serve', 'OrtServeBenchmark, Lanes F32', lambda: self.jmh(
                'serve', r'\.OrtServeBenchmark\.lanes$', {'ortThreads': ['1'], 'lanesVariant': f32,
                                                          'lanesThreads': two or ['1']}, 'plan', extra))
            self.step('serve', 'OrtServeBenchmark, Lanes BF16', lambda: self.jmh(
                'serve', r'\.OrtServeBenchmark\.lanes$', {'ortThreads': ['1'], 'lanesVariant': bf16,
                                                          'lanesThreads': two or ['1'],
                                                          'model': ['mlp', 'lstm_step']}, 'step', extra))
            self.step('serve', 'OrtServeBenchmark, ONNX Runtime', lambda: self.jmh(
                'serve', r'\.OrtServeBenchmark\.onnxRuntime$', {'ortThreads': ort_th, 'lanesVariant': ['f32']},
                'step', extra))

    def export_onnx(self):
        """Writes the OrtServeBenchmark models (ONNX and safetensors) with bench/onnx_export.py."""
        cmd = [PY, os.path.join(ROOT, 'bench', 'onnx_export.py'), '--out', os.path.join(ROOT, 'target', 'bench-onnx')]
        if self.a.dry_run:
            log('  bench/onnx_export.py')
            return 'dry run'
        with open(os.path.join(self.logs, 'onnx-export.log'), 'w') as f:
            subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT)
        return 'target/bench-onnx'

    def area_distributed(self):
        # Ranks are threads of the benchmark's JVM, each computing on its own thread: no peer.
        self.step('distributed', 'CollectiveBenchmark sums', lambda: self.jmh(
            'distributed', r'\.CollectiveBenchmark\.sumShards$', {'floats': ['272000', '25600000'], 'workers': ['2']},
            'step'))
        self.step('distributed', 'CollectiveBenchmark training steps', lambda: self.jmh(
            'distributed', r'\.CollectiveBenchmark\.trainStep$', {'floats': ['272000'], 'workers': ['1', '2']},
            'heavy'))

    def area_scaling(self):
        p, th = self.p, self.p['scaling_threads']
        th = [t for t in th if t in self.threads] or self.threads[:1]
        lstm_points = [(h, p['lstm_hidden_seq']) for h in p['lstm_hidden']] + \
                      [('256', s) for s in p['lstm_seq'] if ('256', s) not in
                       [(h, p['lstm_hidden_seq']) for h in p['lstm_hidden']]]
        if not self.a.no_peers and p['scaling_torch']:
            def torch_lstm():
                for h, s in lstm_points:
                    self.torch('scaling_lstm', 'torch_recurrent.py', th,
                               ['--only', 'lstm_seq,lstm_seq_fwd', '--hidden', h, '--seq', s, '--batch', '64'])
                for h in p['step_hidden']:
                    self.torch('scaling_step', 'torch_recurrent.py', th, ['--only', 'lstm_step', '--hidden', h])
                return '%d points' % len(lstm_points)
            self.step('scaling', 'PyTorch LSTM sweeps', torch_lstm)
        if not self.a.no_peers:
            args = ['--depths', ','.join(p['depths']), '--batch', p['depth_batch'], '--shapes', '3x32x32']
            args += ['--quick'] if self.mode == 'quick' else []
            self.step('scaling', 'PyTorch ResNet depths', lambda: self.torch('scaling_resnet', 'torch_resnet.py', th, args))
        lstm = r'\.ScalingBenchmark\.lstm(Train|Forward)$' if p['lstm_forward'] else r'\.ScalingBenchmark\.lstmTrain$'
        self.step('scaling', 'LSTM hidden sweep', lambda: self.jmh(
            'scaling', lstm,
            {'hidden': p['lstm_hidden'], 'seq': [p['lstm_hidden_seq']], 'batch': ['64'], 'threads': th}, 'heavy'))
        # RecurrentBenchmark's LSTM rows are the (256, 100, 64) point; the report borrows them.
        borrowed = '100' if 'recurrent' in self.areas and 'LSTM' in p['rnn_kinds'] else None
        seqs = [s for s in p['lstm_seq'] if not ('256' in p['lstm_hidden'] and s == p['lstm_hidden_seq'])
                and s != borrowed]
        if seqs:
            self.step('scaling', 'LSTM sequence sweep', lambda: self.jmh(
                'scaling', lstm, {'hidden': ['256'], 'seq': seqs, 'batch': ['64'], 'threads': th}, 'heavy'))
        self.step('scaling', 'LSTM step sweep', lambda: self.jmh(
            'scaling', r'\.ScalingBenchmark\.lstmStep$', {'hidden': p['step_hidden'], 'threads': th}, 'step'))
        self.step('scaling', 'ResNet depth sweep', lambda: self.jmh(
            'scaling', r'\.ScalingBenchmark\.resnet(Train|Infer)$' if p['depth_infer'] else
            r'\.ScalingBenchmark\.resnetTrain$',
            {'depth': p['depths'], 'batch': [p['depth_batch']], 'threads': th}, 'heavy'))

    # ---- main ---------------------------------------------------------------------------------

    def save(self):
        self.result['finished'] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')
        self.result['duration_s'] = round(time.time() - self.t0 - self.waited, 1)
        self.result['waited_for_other_jmh_s'] = self.waited
        self.result['machine']['load_after'] = os.getloadavg()
        path = os.path.join(self.out, self.stamp + '.json')
        with open(path + '.tmp', 'w') as f:
            json.dump(self.result, f, indent=1)
        os.replace(path + '.tmp', path)
        return path

    def main(self):
        areas = self.areas
        log('%s mode, areas %s, threads %s; logs in %s' % (self.mode, ','.join(areas), ','.join(self.threads),
                                                           os.path.relpath(self.logs, ROOT)))
        self.step('setup', 'build (mvnw -Pbench test-compile)', self.build)
        if self.java is None or self.cp is None:
            raise SystemExit('bench/run: the build failed; see %s/build.log' % self.logs)
        self.step('setup', 'machine facts', self.machine)
        for area in areas:
            getattr(self, 'area_' + area)()
        if self.a.dry_run:
            return 0
        path = self.save()
        log('results: %s (%.0f s)' % (os.path.relpath(path, ROOT), self.result['duration_s']))
        if not self.a.no_report:
            report = os.path.abspath(self.a.report or (os.path.join(self.logs, 'BENCHMARKS.md') if self.a.only
                                                       else os.path.join(ROOT, 'BENCHMARKS.md')))
            subprocess.run([PY, os.path.join(ROOT, 'bench', 'harness', 'report.py'), path, '--out', report],
                           check=True)
            log('report: %s' % os.path.relpath(report, os.getcwd()))
        failed = [s for s in self.result['steps'] if s['status'] != 'ok']
        if failed:
            log('%d step(s) failed: %s' % (len(failed), '; '.join('%s/%s' % (s['area'], s['name']) for s in failed)))
            return 1
        return 0


def main():
    ap = argparse.ArgumentParser(prog='bench/run', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument('--quick', action='store_true', help='few shapes, 1 fork, short iterations (the default)')
    g.add_argument('--full', action='store_true', help='every shape, scaling sweeps, 2 forks')
    ap.add_argument('--out', default=os.path.join(ROOT, 'bench', 'results'), help='results directory')
    ap.add_argument('--report', default=None,
                    help='report to regenerate (default: BENCHMARKS.md at the repository root, or with --only '
                         'target/bench-run/<UTC time>/BENCHMARKS.md so that a partial run leaves it alone)')
    ap.add_argument('--no-report', action='store_true', help='write the JSON only')
    ap.add_argument('--only', default=None, help='comma-separated areas: ' + ','.join(AREAS))
    ap.add_argument('--threads', default='1,2', help='thread counts (default 1,2)')
    ap.add_argument('--no-peers', action='store_true', help='Lanes only (no OpenBLAS, PyTorch)')
    ap.add_argument('--torch-default-malloc', action='store_true',
                    help="run PyTorch with glibc's default trim/mmap thresholds (see TORCH_MALLOC)")
    ap.add_argument('--wait-idle', type=float, default=0, metavar='SECONDS',
                    help='before each step, wait while other processes keep a third of a CPU busy, '
                         'up to SECONDS over the run (default 0: measure and record only)')
    ap.add_argument('--list', action='store_true', help='print the plan of the chosen mode and exit')
    ap.add_argument('--dry-run', action='store_true', help='build, then print the commands instead of running them')
    a = ap.parse_args()
    if a.only:
        bad = [x for x in a.only.split(',') if x not in AREAS]
        if bad:
            ap.error('unknown area(s) %s; known: %s' % (','.join(bad), ','.join(AREAS)))
    if a.list:
        mode = 'full' if a.full else 'quick'
        print(json.dumps({'mode': mode, 'jmh_options': JMH[mode], 'plan': plan(mode)}, indent=1))
        return 0
    return Run(a).main()


if __name__ == '__main__':
    sys.exit(main())
