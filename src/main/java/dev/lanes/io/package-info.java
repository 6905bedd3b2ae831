/**
 * Files in and out of Lanes: the safetensors format ({@link dev.lanes.io.SafeTensors}), read
 * strictly and written atomically, so that state dicts move between Lanes and PyTorch, and the
 * IDX format of MNIST ({@link dev.lanes.io.Idx}).
 *
 * <p>The readers fail safe: they refuse a path that is not a regular file before opening it
 * ({@link dev.lanes.io.NotRegularFileException}), hold a file's header and data to documented
 * limits before allocating for them, and report a file that another process changes while it is
 * read as {@link dev.lanes.io.FileChangedException}. Every failure is an
 * {@link java.io.IOException}.
 *
 * <p>This package uses {@code dev.lanes.tensor} only; state dicts are plain
 * {@code Map<String, Tensor>}s.
 */
package dev.lanes.io;
