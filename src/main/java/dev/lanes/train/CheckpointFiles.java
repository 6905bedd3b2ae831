package dev.lanes.train;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files around a checkpoint {@code dir/<stem><ext>}: the older ones kept as
 * {@code <stem>.step-<step><ext>}, the best as {@code <stem>.best<ext>}, and the temporary files
 * of saves ({@code .<name>...tmp}, from the atomic writer and from here).
 */
final class CheckpointFiles {

    private CheckpointFiles() {
    }

    private static String stem(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static String ext(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot) : "";
    }

    /** @return where the checkpoint of {@code step} is kept once a newer one replaces it */
    static Path numbered(Path checkpoint, long step) {
        return checkpoint.resolveSibling(stem(checkpoint) + ".step-" + step + ext(checkpoint));
    }

    /** @return where the best checkpoint is kept */
    static Path best(Path checkpoint) {
        return checkpoint.resolveSibling(stem(checkpoint) + ".best" + ext(checkpoint));
    }

    /** @return the temporary name under which {@code target} is prepared before its atomic move */
    static Path temp(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".link.tmp");
    }

    /** Deletes all but the {@code keep} newest numbered checkpoints. */
    static void pruneNumbered(Path checkpoint, int keep) throws IOException {
        Pattern p = Pattern.compile(Pattern.quote(stem(checkpoint) + ".step-") + "(\\d{1,18})"
                + Pattern.quote(ext(checkpoint)));
        List<long[]> steps = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(parent(checkpoint))) {
            for (Path f : dir) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (m.matches()) {
                    steps.add(new long[] {Long.parseLong(m.group(1)), files.size()});
                    files.add(f);
                }
            }
        }
        steps.sort((a, b) -> Long.compare(b[0], a[0]));
        for (int i = keep; i < steps.size(); i++) {
            Files.deleteIfExists(files.get((int) steps.get(i)[1]));
        }
    }

    /** Deletes the temporary files that interrupted saves of this checkpoint's family left. */
    static void deleteTemps(Path checkpoint) throws IOException {
        Path dir = parent(checkpoint);
        if (!Files.isDirectory(dir)) {
            return;
        }
        String prefix = "." + stem(checkpoint) + ".";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(".tmp") && Files.isRegularFile(f)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static Path parent(Path checkpoint) {
        Path parent = checkpoint.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }
}
