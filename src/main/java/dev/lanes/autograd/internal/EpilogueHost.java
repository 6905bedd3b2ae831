package dev.lanes.autograd.internal;

/**
 * A tape node whose plan steps can run its consumers' {@link Epilogue}s: its {@link #lower}
 * passes every run of output elements it writes through {@link Lowering#epilogue} (when that is
 * not null) after its own work on the run, in place, before anything else reads the run. Its
 * single output slot ({@link Lowering#out}) then holds the last fused consumer's result.
 */
public interface EpilogueHost extends Lowerable {
}
