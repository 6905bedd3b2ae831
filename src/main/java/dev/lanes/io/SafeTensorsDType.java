package dev.lanes.io;

/**
 * The element types the safetensors format names, with their width in bits. Lanes reads four of
 * them (F32, F64, F16 and BF16); the others are known so that a file using them is validated in
 * full and then refused by name.
 */
enum SafeTensorsDType {
    BOOL(8), U8(8), I8(8), F8_E5M2(8), F8_E4M3(8), F8_E8M0(8), F4(4), F6_E2M3(6), F6_E3M2(6),
    I16(16), U16(16), F16(16), BF16(16),
    I32(32), U32(32), F32(32),
    I64(64), U64(64), F64(64), C64(64);

    private final int bits;

    SafeTensorsDType(int bits) {
        this.bits = bits;
    }

    /** @return the width of one element in bits */
    int bits() {
        return bits;
    }

    /** @return whether Lanes converts this type into a tensor */
    boolean readable() {
        return this == F32 || this == F64 || this == F16 || this == BF16;
    }

    /** @return the type with this exact name, or null */
    static SafeTensorsDType byName(String name) {
        for (SafeTensorsDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
