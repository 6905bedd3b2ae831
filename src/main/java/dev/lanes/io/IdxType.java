package dev.lanes.io;

/**
 * The element types of the IDX format: the third byte of the magic number names one, and the
 * data holds each element big-endian in {@link #bytes()} bytes.
 */
public enum IdxType {
    /** Unsigned byte, 0..255 (the MNIST images and labels). */
    UBYTE(0x08, 1),
    /** Signed byte, -128..127. */
    BYTE(0x09, 1),
    /** Signed 16-bit integer. */
    SHORT(0x0B, 2),
    /** Signed 32-bit integer. */
    INT(0x0C, 4),
    /** 32-bit IEEE 754 float. */
    FLOAT(0x0D, 4),
    /** 64-bit IEEE 754 double. */
    DOUBLE(0x0E, 8);

    private final int code;
    private final int bytes;

    IdxType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** @return the type code in the magic number */
    public int code() {
        return code;
    }

    /** @return the size of one element in bytes */
    public int bytes() {
        return bytes;
    }

    /** @return true for the four integer types */
    public boolean isIntegral() {
        return this != FLOAT && this != DOUBLE;
    }

    /**
     * @param code a type code byte, 0..255
     * @return its type, or null if the code names none
     */
    public static IdxType ofCode(int code) {
        for (IdxType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
