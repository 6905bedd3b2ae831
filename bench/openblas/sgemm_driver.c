/*
 * sgemm_driver: times OpenBLAS cblas_sgemm on row-major, non-transposed
 * single-precision matrices, C[MxN] = A[MxK] * B[KxN].
 *
 * Usage: sgemm_driver [--threads T] [--reps R] [--warmup-s S] [--batch-s S]
 *                     MxKxN [MxKxN ...]
 *
 * For every shape the driver warms up, then takes R samples. Each sample
 * times a batch of back-to-back calls sized so that the batch lasts at least
 * --batch-s seconds, and records the per-call time (batch time / calls).
 * One line per shape is printed to stdout:
 *
 *   shape=64x64x64 threads=1 reps=15 calls_per_sample=N min_s=... \
 *     median_s=... gflops_best=... gflops_median=... checksum=... check_err=...
 *
 * where GFLOP/s = 2*M*N*K / seconds / 1e9 (best uses the minimum time).
 * Lines starting with '#' carry the OpenBLAS build configuration.
 */
#define _POSIX_C_SOURCE 200809L

#include <cblas.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    long m, k, n;
    char text[64];
} shape_t;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64: small, deterministic generator. */
static uint64_t rng_next(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform float in [-1, 1): 24 random mantissa bits scaled to [0, 2) minus 1. */
static void fill_uniform(float *x, size_t count, uint64_t seed) {
    uint64_t state = seed;
    for (size_t i = 0; i < count; i++) {
        uint32_t bits = (uint32_t)(rng_next(&state) >> 40); /* 24 bits */
        x[i] = (float)bits * (2.0f / 16777216.0f) - 1.0f;
    }
}

static float *alloc_aligned(size_t count) {
    size_t bytes = count * sizeof(float);
    if (bytes == 0) bytes = 64;
    bytes = (bytes + 63) & ~(size_t)63;
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes) != 0 || p == NULL) {
        fprintf(stderr, "sgemm_driver: out of memory (%zu bytes)\n", bytes);
        exit(2);
    }
    memset(p, 0, bytes);
    return (float *)p;
}

static int parse_long(const char *s, long *out) {
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') return 0;
    *out = v;
    return 1;
}

static int parse_double(const char *s, double *out) {
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0') return 0;
    *out = v;
    return 1;
}

static int parse_shape(const char *s, shape_t *out) {
    long m, k, n;
    char tail;
    if (strlen(s) >= sizeof(out->text)) return 0;
    if (sscanf(s, "%ldx%ldx%ld%c", &m, &k, &n, &tail) != 3) return 0;
    if (m <= 0 || k <= 0 || n <= 0) return 0;
    out->m = m;
    out->k = k;
    out->n = n;
    snprintf(out->text, sizeof(out->text), "%ldx%ldx%ld", m, k, n);
    return 1;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: sgemm_driver [--threads T] [--reps R] [--warmup-s S] [--batch-s S] MxKxN [MxKxN ...]\n"
            "  --threads T   OpenBLAS thread count (default 1)\n"
            "  --reps R      timed samples per shape (default 15)\n"
            "  --warmup-s S  minimum warm-up time per shape in seconds (default 0.3)\n"
            "  --batch-s S   minimum duration of one timed sample in seconds (default 0.02)\n"
            "Times cblas_sgemm(RowMajor, NoTrans, NoTrans, M, N, K, 1, A, K, B, N, 0, C, N).\n");
}

static void run_gemm(const shape_t *s, const float *a, const float *b, float *c) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)s->m, (blasint)s->n, (blasint)s->k,
                1.0f, a, (blasint)s->k, b, (blasint)s->n, 0.0f, c, (blasint)s->n);
}

/* Largest error, relative to sum(|a*b|), of a few entries of C recomputed in double. */
static double spot_check(const shape_t *s, const float *a, const float *b, const float *c) {
    long rows[3] = {0, s->m / 2, s->m - 1};
    long cols[3] = {0, s->n / 3, s->n - 1};
    double worst = 0.0;
    for (int ri = 0; ri < 3; ri++) {
        for (int ci = 0; ci < 3; ci++) {
            long i = rows[ri], j = cols[ci];
            double ref = 0.0, mag = 0.0;
            for (long p = 0; p < s->k; p++) {
                double t = (double)a[i * s->k + p] * (double)b[p * s->n + j];
                ref += t;
                mag += t < 0 ? -t : t;
            }
            double err = (double)c[i * s->n + j] - ref;
            if (err < 0) err = -err;
            if (mag > 0) err /= mag;
            if (err > worst) worst = err;
        }
    }
    return worst;
}

int main(int argc, char **argv) {
    long threads = 1, reps = 15;
    double warmup_s = 0.3, batch_s = 0.02;
    shape_t *shapes = calloc((size_t)argc, sizeof(shape_t));
    int nshapes = 0;
    if (shapes == NULL) return 2;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(arg, "--threads") == 0) {
            if (!val || !parse_long(val, &threads) || threads < 1) goto bad;
            i++;
        } else if (strcmp(arg, "--reps") == 0) {
            if (!val || !parse_long(val, &reps) || reps < 1) goto bad;
            i++;
        } else if (strcmp(arg, "--warmup-s") == 0) {
            if (!val || !parse_double(val, &warmup_s) || warmup_s < 0) goto bad;
            i++;
        } else if (strcmp(arg, "--batch-s") == 0) {
            if (!val || !parse_double(val, &batch_s) || batch_s <= 0) goto bad;
            i++;
        } else if (arg[0] == '-') {
            goto bad;
        } else {
            if (!parse_shape(arg, &shapes[nshapes])) {
                fprintf(stderr, "sgemm_driver: bad shape '%s' (expected MxKxN)\n", arg);
                return 2;
            }
            nshapes++;
        }
        continue;
    bad:
        fprintf(stderr, "sgemm_driver: bad or incomplete option '%s'\n", arg);
        usage(stderr);
        return 2;
    }
    if (nshapes == 0) {
        usage(stderr);
        return 2;
    }

    openblas_set_num_threads((int)threads);
    int active_threads = openblas_get_num_threads();
    const char *config = openblas_get_config();
    const char *corename = openblas_get_corename();
    printf("# config: %s\n", config ? config : "?");
    printf("# corename: %s\n", corename ? corename : "?");
    printf("# threads_requested=%ld threads_active=%d procs=%d parallel=%d\n", threads, active_threads,
           openblas_get_num_procs(), openblas_get_parallel());
    fflush(stdout);
    fprintf(stderr, "sgemm_driver: OpenBLAS config '%s', core '%s', %d thread(s)\n", config ? config : "?",
            corename ? corename : "?", active_threads);

    double *samples = malloc((size_t)reps * sizeof(double));
    if (samples == NULL) return 2;
    double total_checksum = 0.0;

    for (int si = 0; si < nshapes; si++) {
        const shape_t *s = &shapes[si];
        size_t na = (size_t)s->m * (size_t)s->k;
        size_t nb = (size_t)s->k * (size_t)s->n;
        size_t nc = (size_t)s->m * (size_t)s->n;
        float *a = alloc_aligned(na);
        float *b = alloc_aligned(nb);
        float *c = alloc_aligned(nc);
        uint64_t seed = ((uint64_t)s->m * 1000003ULL + (uint64_t)s->k) * 1000003ULL + (uint64_t)s->n;
        fill_uniform(a, na, seed ^ 0xA5A5A5A5ULL);
        fill_uniform(b, nb, seed ^ 0x5A5A5A5A00000000ULL);
        double flops = 2.0 * (double)s->m * (double)s->n * (double)s->k;

        /* Warm-up: at least warmup_s seconds and at least 3 calls; also
         * gives a first estimate of the per-call time. */
        long warm_calls = 0;
        double t0 = now_s(), elapsed = 0.0;
        do {
            run_gemm(s, a, b, c);
            warm_calls++;
            elapsed = now_s() - t0;
        } while (elapsed < warmup_s || warm_calls < 3);
        double est = elapsed / (double)warm_calls;

        /* Calls per sample: enough for the batch to last at least batch_s. */
        long calls = 1;
        if (est > 0) {
            double want = batch_s / est;
            calls = want < 1.0 ? 1 : (long)(want * 1.1) + 1;
        }

        for (long r = 0; r < reps; r++) {
            double start = now_s();
            for (long j = 0; j < calls; j++) run_gemm(s, a, b, c);
            double dt = now_s() - start;
            /* If the machine got faster (e.g. clock ramp-up), keep batches long enough. */
            while (dt < batch_s * 0.5) {
                calls *= 2;
                start = now_s();
                for (long j = 0; j < calls; j++) run_gemm(s, a, b, c);
                dt = now_s() - start;
            }
            samples[r] = dt / (double)calls;
        }

        double checksum = 0.0;
        for (size_t i = 0; i < nc; i++) checksum += (double)c[i];
        total_checksum += checksum;
        double check_err = spot_check(s, a, b, c);

        qsort(samples, (size_t)reps, sizeof(double), cmp_double);
        double min_s = samples[0];
        double median_s = (reps % 2) ? samples[reps / 2] : 0.5 * (samples[reps / 2 - 1] + samples[reps / 2]);
        printf("shape=%s threads=%ld reps=%ld calls_per_sample=%ld min_s=%.9e median_s=%.9e "
               "gflops_best=%.3f gflops_median=%.3f checksum=%.6e check_err=%.2e\n",
               s->text, threads, reps, calls, min_s, median_s, flops / min_s / 1e9, flops / median_s / 1e9,
               checksum, check_err);
        fflush(stdout);

        free(a);
        free(b);
        free(c);
    }
    printf("# total_checksum=%.6e\n", total_checksum);
    free(samples);
    free(shapes);
    return 0;
}
