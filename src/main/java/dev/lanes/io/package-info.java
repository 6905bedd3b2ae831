/**
 * Files in and out of Lanes: the safetensors format ({@link dev.lanes.io.SafeTensors}), read
 * strictly and written atomically, so that state dicts move between Lanes and PyTorch.
 *
 * <p>This package uses {@code dev.lanes.tensor} only; state dicts are plain
 * {@code Map<String, Tensor>}s.
 */
package dev.lanes.io;
