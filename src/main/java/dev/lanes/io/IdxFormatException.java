package dev.lanes.io;

import java.io.IOException;

/**
 * A file that is not a valid IDX file, or a pair of IDX files that do not belong together. The
 * message starts with the file (or stream) name, then says what is wrong with it.
 */
public final class IdxFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final String problem;

    /**
     * @param source  the file or stream that is at fault
     * @param problem what is wrong with it
     */
    public IdxFormatException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
        this.problem = problem;
    }

    /**
     * @param source  the file or stream that is at fault
     * @param problem what is wrong with it
     * @param cause   the lower-level failure (for example a damaged gzip stream)
     */
    public IdxFormatException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
        this.problem = problem;
    }

    /** @return the file or stream that is at fault */
    public String source() {
        return source;
    }

    /** @return what is wrong, without the file name */
    public String problem() {
        return problem;
    }
}
