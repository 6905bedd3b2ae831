package dev.lanes.optim;

import java.util.Arrays;
import java.util.List;

/**
 * PyTorch's learning-rate schedules: {@link #step}, {@link #multiStep}, {@link #exponential},
 * {@link #cosine}, {@link #linear} (warm-up) and {@link #sequential} composition.
 */
public final class Schedules {

    private Schedules() {
    }

    /** {@code StepLR}: multiply by {@code gamma} every {@code stepSize} epochs. */
    public static ChainableLR step(Optimizer opt, int stepSize, double gamma) {
        if (stepSize <= 0) {
            throw new IllegalArgumentException("StepLR: step_size must be > 0, got " + stepSize);
        }
        return new ChainableLR(opt) {
            @Override
            protected double next(double lr) {
                return lastEpoch() == 0 || lastEpoch() % stepSize != 0 ? lr : lr * gamma;
            }

            @Override
            protected double closedForm() {
                return baseLr * Math.pow(gamma, lastEpoch() / stepSize);
            }
        };
    }

    /** {@code MultiStepLR}: multiply by {@code gamma} at each milestone (repeated milestones count twice). */
    public static ChainableLR multiStep(Optimizer opt, int[] milestones, double gamma) {
        int[] sorted = milestones.clone();
        Arrays.sort(sorted);
        return new ChainableLR(opt) {
            private int count(int epoch) {
                int c = 0;
                for (int m : sorted) {
                    c += m == epoch ? 1 : 0;
                }
                return c;
            }

            @Override
            protected double next(double lr) {
                int c = count(lastEpoch());
                return c == 0 ? lr : lr * Math.pow(gamma, c);
            }

            @Override
            protected double closedForm() {
                int passed = 0;
                for (int m : sorted) {
                    passed += m <= lastEpoch() ? 1 : 0;
                }
                return baseLr * Math.pow(gamma, passed);
            }
        };
    }

    /** {@code ExponentialLR}: multiply by {@code gamma} every epoch. */
    public static ChainableLR exponential(Optimizer opt, double gamma) {
        return new ChainableLR(opt) {
            @Override
            protected double next(double lr) {
                return lastEpoch() == 0 ? lr : lr * gamma;
            }

            @Override
            protected double closedForm() {
                return baseLr * Math.pow(gamma, lastEpoch());
            }
        };
    }

    /** {@code CosineAnnealingLR}: from the base rate down to {@code etaMin} over {@code tMax} epochs, and back. */
    public static ChainableLR cosine(Optimizer opt, int tMax, double etaMin) {
        if (tMax <= 0) {
            throw new IllegalArgumentException("CosineAnnealingLR: T_max must be > 0, got " + tMax);
        }
        return new ChainableLR(opt) {
            @Override
            protected double next(double lr) {
                int e = lastEpoch();
                if (e == 0) {
                    return lr;
                }
                if (stepCount() == 1 && e > 0) {
                    return closedForm();
                }
                if ((e - 1 - tMax) % (2 * tMax) == 0) {
                    return lr + (baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
                }
                return (1 + Math.cos(Math.PI * e / tMax)) / (1 + Math.cos(Math.PI * (e - 1) / tMax)) * (lr - etaMin)
                        + etaMin;
            }

            @Override
            protected double closedForm() {
                return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * lastEpoch() / tMax)) / 2;
            }
        };
    }

    /**
     * {@code LinearLR}: the factor goes linearly from {@code startFactor} to {@code endFactor} over
     * {@code totalIters} epochs (a warm-up when it rises).
     */
    public static ChainableLR linear(Optimizer opt, double startFactor, double endFactor, int totalIters) {
        if (!(startFactor > 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1) || totalIters <= 0) {
            throw new IllegalArgumentException("LinearLR: need 0 < start_factor <= 1, 0 <= end_factor <= 1 and"
                    + " total_iters > 0, got " + startFactor + ", " + endFactor + ", " + totalIters);
        }
        return new ChainableLR(opt) {
            @Override
            protected double next(double lr) {
                int e = lastEpoch();
                if (e == 0) {
                    return lr * startFactor;
                }
                if (e > totalIters) {
                    return lr;
                }
                return lr * (1 + (endFactor - startFactor)
                        / (totalIters * startFactor + (e - 1) * (endFactor - startFactor)));
            }

            @Override
            protected double closedForm() {
                return baseLr * (startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch())
                        / totalIters);
            }
        };
    }

    /**
     * {@code SequentialLR}: schedule {@code i} runs from milestone {@code i - 1}; at a milestone the
     * next schedule restarts at its epoch 0.
     */
    public static LRSchedule sequential(Optimizer opt, List<ChainableLR> schedules, int[] milestones) {
        if (milestones.length != schedules.size() - 1) {
            throw new IllegalArgumentException("SequentialLR: " + schedules.size() + " schedules need "
                    + (schedules.size() - 1) + " milestones, got " + milestones.length);
        }
        for (ChainableLR s : schedules) {
            if (s.optimizer != opt) {
                throw new IllegalArgumentException("SequentialLR: every schedule must drive the same optimizer");
            }
        }
        opt.setLr(opt.initialLr());
        for (ChainableLR s : schedules) {
            s.rewind();
        }
        schedules.get(0).initialStep();
        int[] ms = milestones.clone();
        return new LRSchedule() {
            private int lastEpoch;

            @Override
            public void step() {
                lastEpoch++;
                int idx = 0;
                while (idx < ms.length && ms[idx] <= lastEpoch) {
                    idx++;
                }
                ChainableLR s = schedules.get(idx);
                if (idx > 0 && ms[idx - 1] == lastEpoch) {
                    s.stepTo(0);
                } else {
                    s.step();
                }
            }
        };
    }
}
