package dev.lanes.io;

/** Safetensors files whose headers declare a lot in few bytes, built by hand for the limit tests. */
final class HostileHeaders {

    private HostileHeaders() {
    }

    /** {@code count} F32 tensors of shape [0], all at offsets [0, 0], named in base 36; no data. */
    static byte[] emptyTensors(int count) {
        StringBuilder json = new StringBuilder(count * 56).append('{');
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "\"" : ",\"").append(Integer.toString(i, 36))
                    .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        return RawFiles.file(json.append('}').toString(), 0);
    }

    /** Metadata with {@code count} keys, named in base 36, of empty values; no tensors. */
    static byte[] metadataKeys(int count) {
        StringBuilder json = new StringBuilder(count * 10).append("{\"__metadata__\":{");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "\"" : ",\"").append(Integer.toString(i, 36)).append("\":\"\"");
        }
        return RawFiles.file(json.append("}}").toString(), 0);
    }

    /** One F32 tensor "t" of one element whose shape is {@code rank} ones. */
    static byte[] rank(int rank) {
        StringBuilder json = new StringBuilder(2 * rank + 64).append("{\"t\":{\"dtype\":\"F32\",\"shape\":[");
        for (int i = 0; i < rank; i++) {
            json.append(i == 0 ? "1" : ",1");
        }
        return RawFiles.file(json.append("],\"data_offsets\":[0,4]}}").toString(), 4);
    }
}
