/*
 * fma_peak: the FP32 fused multiply-add ceiling of this CPU, measured with
 * independent chains of vector FMAs on registers only (no loads or stores in
 * the loop), as a reference line for GEMM GFLOP/s.
 *
 * Usage: fma_peak [--threads T] [--reps R] [--seconds S]
 *
 * Widest vector the compiler was allowed to use: AVX-512 (16 floats),
 * AVX2 + FMA (8 floats) or scalar fmaf as a last resort; build with
 *   gcc -O2 -march=native bench/probes/fma_peak.c -o fma_peak -lpthread
 * For each chain count in {8, 12, 16, 24} every thread runs the same loop
 * (chains FMAs per round, each on its own accumulator, so the rounds are
 * limited by FMA throughput rather than latency once there are enough
 * chains). One sample = one timed run of about --seconds / reps; per chain
 * count the best and median sample are kept, and the chain count with the
 * best median is reported.
 *
 * GFLOP/s = threads * chains * lanes * 2 * rounds / seconds / 1e9.
 * One line on stdout:
 *   isa=avx512 lanes=16 threads=1 chains=12 reps=7 gflops_best=... gflops_median=...
 * plus '#'-prefixed lines with every chain count's numbers.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__AVX512F__)
#include <immintrin.h>
#define ISA "avx512"
#define LANES 16
typedef __m512 vec;
#define VSET1(x) _mm512_set1_ps(x)
#define VFMA(c, a, b) _mm512_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm512_add_ps((a), (b))
static float vsum(vec v) { return _mm512_reduce_add_ps(v); }
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define ISA "avx2"
#define LANES 8
typedef __m256 vec;
#define VSET1(x) _mm256_set1_ps(x)
#define VFMA(c, a, b) _mm256_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm256_add_ps((a), (b))
static float vsum(vec v) {
    float t[8];
    _mm256_storeu_ps(t, v);
    return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}
#else
#include <math.h>
#define ISA "scalar"
#define LANES 1
typedef float vec;
#define VSET1(x) (x)
#define VFMA(c, a, b) fmaf((a), (b), (c))
#define VADD(a, b) ((a) + (b))
static float vsum(vec v) { return v; }
#endif

/* Inputs read through volatiles so the compiler cannot fold the chains. */
static volatile float in_a = 1.0000001f;
static volatile float in_b = 0.9999999f;

#define CHAIN_LOOP(N)                                                   \
    static float run_##N(long rounds) {                                 \
        vec a = VSET1(in_a), b = VSET1(in_b);                           \
        vec c[N];                                                       \
        for (int j = 0; j < N; j++) c[j] = (j & 1) ? b : a;             \
        for (long i = 0; i < rounds; i++) {                             \
            _Pragma("GCC unroll 32")                                    \
            for (int j = 0; j < N; j++) c[j] = VFMA(c[j], a, b);        \
        }                                                               \
        vec s = c[0];                                                   \
        for (int j = 1; j < N; j++) s = VADD(s, c[j]);                  \
        return vsum(s);                                                 \
    }

CHAIN_LOOP(8)
CHAIN_LOOP(12)
CHAIN_LOOP(16)
CHAIN_LOOP(24)

static const int CHAINS[] = {8, 12, 16, 24};
#define NCHAINS 4

static float run_chains(int chains, long rounds) {
    switch (chains) {
        case 8: return run_8(rounds);
        case 12: return run_12(rounds);
        case 16: return run_16(rounds);
        default: return run_24(rounds);
    }
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct {
    int chains;
    long rounds;
    pthread_barrier_t *start;
    double seconds;
    float sink;
} job_t;

static void *worker(void *p) {
    job_t *j = (job_t *)p;
    pthread_barrier_wait(j->start);
    double t0 = now_s();
    j->sink = run_chains(j->chains, j->rounds);
    j->seconds = now_s() - t0;
    return NULL;
}

/* One sample: all threads run `rounds` rounds; the slowest thread's time counts. */
static double sample(int threads, int chains, long rounds, float *sink) {
    pthread_t tid[64];
    job_t jobs[64];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads);
    for (int t = 0; t < threads; t++) {
        jobs[t] = (job_t){chains, rounds, &start, 0, 0};
        if (t > 0) pthread_create(&tid[t], NULL, worker, &jobs[t]);
    }
    worker(&jobs[0]);
    double worst = jobs[0].seconds;
    for (int t = 1; t < threads; t++) {
        pthread_join(tid[t], NULL);
        if (jobs[t].seconds > worst) worst = jobs[t].seconds;
    }
    for (int t = 0; t < threads; t++) *sink += jobs[t].sink;
    pthread_barrier_destroy(&start);
    return worst;
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(int argc, char **argv) {
    int threads = 1, reps = 7;
    double seconds = 1.0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: fma_peak [--threads T] [--reps R] [--seconds S]\n");
            return 2;
        }
    }
    if (threads < 1 || threads > 64 || reps < 1 || reps > 1000 || !(seconds > 0)) {
        fprintf(stderr, "fma_peak: bad arguments (threads 1..64, reps 1..1000, seconds > 0)\n");
        return 2;
    }
    float sink = 0;
    double per_sample = seconds / (NCHAINS * reps);
    double best_median = 0, best_best = 0;
    int best_chains = 0;
    for (int c = 0; c < NCHAINS; c++) {
        int chains = CHAINS[c];
        /* Calibrate: grow the round count until one sample lasts per_sample seconds. */
        long rounds = 1000;
        double t = sample(threads, chains, rounds, &sink);
        while (t < per_sample / 4) {
            rounds *= 4;
            t = sample(threads, chains, rounds, &sink);
        }
        rounds = (long)(rounds * (per_sample / t)) + 1;
        double gf[1000];
        double flops = (double)threads * chains * LANES * 2.0 * (double)rounds;
        for (int r = 0; r < reps; r++) gf[r] = flops / sample(threads, chains, rounds, &sink) / 1e9;
        qsort(gf, (size_t)reps, sizeof(double), cmp_double);
        double best = gf[reps - 1], median = gf[reps / 2];
        printf("# chains=%d rounds=%ld gflops_best=%.1f gflops_median=%.1f\n", chains, rounds, best, median);
        if (median > best_median) {
            best_median = median;
            best_best = best;
            best_chains = chains;
        }
    }
    printf("isa=%s lanes=%d threads=%d chains=%d reps=%d gflops_best=%.1f gflops_median=%.1f sink=%g\n", ISA,
           LANES, threads, best_chains, reps, best_best, best_median, (double)sink);
    return 0;
}
