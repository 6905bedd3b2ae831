package dev.lanes.spark;

import dev.lanes.io.SafeTensors;
import dev.lanes.io.SafeTensorsFile;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * The Spark trainer's checkpoints: one safetensors file per saved step in a directory of any
 * file system Hadoop can write (a local path, {@code hdfs://}, ...), holding the model's and
 * the optimizer's state and, in its metadata, the step, the dropout generators' states and a
 * checksum of all of it. A file
 * appears under its final name only once written whole (written beside it, then renamed), so
 * a crash while saving leaves the previous checkpoint as the latest. The two newest are kept.
 */
final class SparkCheckpoints {

    private static final String PREFIX = "step-";
    private static final String SUFFIX = ".safetensors";
    private static final int KEPT = 2;

    private final String dir;

    /** What a checkpoint holds. */
    record Loaded(long step, long checksum, Map<String, Tensor> model, Map<String, Tensor> optimizer,
                  long[] generators) {
    }

    SparkCheckpoints(String dir) {
        this.dir = dir;
    }

    private FileSystem fs() throws IOException {
        return FileSystem.get(URI.create(dir), new Configuration());
    }

    private org.apache.hadoop.fs.Path path(String name) {
        return new org.apache.hadoop.fs.Path(dir, name);
    }

    /**
     * @return a checksum of the tensors' names, shapes and values, by name (a file may reorder
     *         them), and of the generators' states
     */
    static long checksum(Map<String, Tensor> model, Map<String, Tensor> optimizer, long[] generators) {
        CRC32 crc = new CRC32();
        for (long g : generators) {
            for (int i = 0; i < 8; i++) {
                crc.update((int) (g >>> (8 * i)));
            }
        }
        for (Map<String, Tensor> m : java.util.List.of(model, optimizer)) {
            new java.util.TreeMap<>(m).forEach((name, t) -> {
                crc.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                for (int d : t.dims()) {
                    crc.update(d);
                }
                for (double v : t.toDoubleArray()) {
                    long bits = Double.doubleToLongBits(v);
                    for (int i = 0; i < 8; i++) {
                        crc.update((int) (bits >>> (8 * i)));
                    }
                }
            });
        }
        return crc.getValue();
    }

    /** Writes the state after {@code step} global steps, then drops all but the newest checkpoints. */
    void save(long step, Map<String, Tensor> model, Map<String, Tensor> optimizer, long[] generators) {
        Map<String, Tensor> all = new LinkedHashMap<>();
        model.forEach((k, v) -> all.put("model." + k, v));
        optimizer.forEach((k, v) -> all.put("optimizer." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("lanes.spark.step", Long.toString(step));
        for (int i = 0; i < generators.length; i++) {
            meta.put("lanes.spark.generator." + i, Long.toString(generators[i]));
        }
        meta.put("lanes.spark.checksum", Long.toString(checksum(model, optimizer, generators)));
        Path local = null;
        try {
            local = Files.createTempFile("lanes-checkpoint", SUFFIX);
            SafeTensors.write(local, all, meta);
            FileSystem fs = fs();
            fs.mkdirs(new org.apache.hadoop.fs.Path(dir));
            org.apache.hadoop.fs.Path partial = path("." + PREFIX + step + "-" + UUID.randomUUID() + ".partial");
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), partial);
            org.apache.hadoop.fs.Path target = path(String.format("%s%012d%s", PREFIX, step, SUFFIX));
            fs.delete(target, false);
            if (!fs.rename(partial, target)) {
                throw new IOException("could not rename " + partial + " to " + target);
            }
            FileStatus[] saved = fs.globStatus(path(PREFIX + "*" + SUFFIX));
            java.util.Arrays.sort(saved, java.util.Comparator.comparing(s -> s.getPath().getName()));
            for (int i = 0; i < saved.length - KEPT; i++) {
                fs.delete(saved[i].getPath(), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("SparkTrainer: could not save the checkpoint of step " + step + " in "
                    + dir + ": " + e.getMessage(), e);
        } finally {
            if (local != null) {
                try {
                    Files.deleteIfExists(local);
                } catch (IOException e) {
                    // A leftover temporary file: nothing else to do.
                }
            }
        }
    }

    /**
     * @return the newest checkpoint, or null when the directory has none
     * @throws IllegalStateException when the newest checkpoint's tensors do not match its checksum
     */
    Loaded latest() {
        Path local = null;
        try {
            FileSystem fs = fs();
            FileStatus[] saved = fs.globStatus(path(PREFIX + "*" + SUFFIX));
            if (saved == null || saved.length == 0) {
                return null;
            }
            java.util.Arrays.sort(saved, java.util.Comparator.comparing(s -> s.getPath().getName()));
            org.apache.hadoop.fs.Path newest = saved[saved.length - 1].getPath();
            local = Files.createTempFile("lanes-checkpoint", SUFFIX);
            Files.delete(local);
            fs.copyToLocalFile(newest, new org.apache.hadoop.fs.Path(local.toUri()));
            SafeTensorsFile file = SafeTensors.readFile(local);
            Map<String, Tensor> model = new LinkedHashMap<>();
            Map<String, Tensor> optimizer = new LinkedHashMap<>();
            file.tensors().forEach((k, v) -> {
                if (k.startsWith("model.")) {
                    model.put(k.substring("model.".length()), v);
                } else if (k.startsWith("optimizer.")) {
                    optimizer.put(k.substring("optimizer.".length()), v);
                }
            });
            long step = Long.parseLong(file.metadata().get("lanes.spark.step"));
            long checksum = Long.parseLong(file.metadata().get("lanes.spark.checksum"));
            java.util.List<Long> gens = new java.util.ArrayList<>();
            for (int i = 0; file.metadata().containsKey("lanes.spark.generator." + i); i++) {
                gens.add(Long.parseLong(file.metadata().get("lanes.spark.generator." + i)));
            }
            long[] generators = gens.stream().mapToLong(Long::longValue).toArray();
            if (checksum(model, optimizer, generators) != checksum) {
                throw new IllegalStateException("SparkTrainer: checkpoint " + newest + " does not match its checksum;"
                        + " refusing to resume from it");
            }
            return new Loaded(step, checksum, model, optimizer, generators);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalStateException ise) {
                throw ise;
            }
            throw new IllegalStateException("SparkTrainer: could not read the checkpoints in " + dir + ": "
                    + e.getMessage(), e);
        } finally {
            if (local != null) {
                try {
                    Files.deleteIfExists(local);
                    Files.deleteIfExists(local.resolveSibling("." + local.getFileName() + ".crc"));
                } catch (IOException e) {
                    // A leftover temporary file: nothing else to do.
                }
            }
        }
    }
}
