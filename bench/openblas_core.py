"""The OpenBLAS kernels to ask for when OpenBLAS's own CPU detection fails: on a CPU it does not
recognise (a VM's generic model name, say) it falls back to kernels for a pre-AVX2 core, over
three times slower than the ones the CPU can run, which would make a meaningless peer.
"""
import os

PRE_AVX2_CORES = ('Prescott', 'Core2', 'Penryn', 'Dunnington', 'Nehalem', 'Atom', 'Katmai', 'Coppermine',
                  'Northwood', 'Banias')


def fallback_core(core, env=None):
    """The core to set in OPENBLAS_CORETYPE when OpenBLAS chose `core`, a pre-AVX2 one, on a CPU with
    AVX2 or AVX-512 and the environment `env` (default: this process's) named no core; else None."""
    if 'OPENBLAS_CORETYPE' in (os.environ if env is None else env) or core not in PRE_AVX2_CORES:
        return None
    with open('/proc/cpuinfo') as f:
        flags = next((line.split(':', 1)[1].split() for line in f if line.startswith('flags')), [])
    if {'avx512f', 'avx512bw', 'avx512vl', 'avx512dq'} <= set(flags):
        return 'SkylakeX'
    return 'Haswell' if {'avx2', 'fma'} <= set(flags) else None
