package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading files other writers make: half-precision types, any order, any valid JSON spelling. */
class SafeTensorsDecodeTest {

    private static byte[] shorts(int... bits) {
        ByteBuffer b = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : bits) {
            b.putShort((short) v);
        }
        return b.array();
    }

    private static Tensor single(String dtype, byte[] data, int n) throws IOException {
        String json = "{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + n + "],\"data_offsets\":[0," + data.length
                + "]}}";
        byte[] header = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return SafeTensors.decode(ByteBuffer.wrap(RawFiles.file(header.length, header, data))).tensors().get("t");
    }

    @Test
    void halfPrecisionIsWidenedExactly() throws IOException {
        Tensor t = single("F16", shorts(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0xFC00, 0x8000, 0x3555, 0x7E00), 9);
        assertEquals(DType.F32, t.dtype());
        float[] v = t.f32();
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                -0f, 0.333251953125f, Float.NaN}, v);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(v[6]));
    }

    @Test
    void bfloat16IsWidenedExactly() throws IOException {
        Tensor t = single("BF16", shorts(0x3F80, 0xC040, 0x7F7F, 0x0001, 0xFF80, 0x7FC0, 0x8000), 7);
        assertEquals(DType.F32, t.dtype());
        assertArrayEquals(new float[] {1f, -3f, Float.intBitsToFloat(0x7F7F0000), Float.intBitsToFloat(0x00010000),
                Float.NEGATIVE_INFINITY, Float.NaN, -0f}, t.f32());
    }

    @Test
    void headerOrderDataOrderAndJsonSpellingAreFree() throws IOException {
        // The header lists b before a, the data holds a before b; whitespace, escapes and key order vary.
        String json = " {\r\n\t\"b\" : { \"shape\" : [ 2 ] , \"data_offsets\":[8,16],\"dtype\":\"F32\" } ,"
                + "\"\\u0061\\/x\":{\"data_offsets\":[0 , 8],\"dtype\":\"F32\",\"shape\":[1,2]},"
                + "\"__metadata__\":{\"k\\n\":\"\\ud83d\\ude42\"}\n}\t ";
        byte[] header = json.substring(1).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] data = RawFiles.floats(1, 2, 3, 4);
        SafeTensorsFile f = SafeTensors.decode(ByteBuffer.wrap(RawFiles.file(header.length, header, data)));
        assertEquals(List.of("b", "a/x"), List.copyOf(f.tensors().keySet()));
        assertArrayEquals(new float[] {3, 4}, f.tensors().get("b").f32());
        assertArrayEquals(new float[] {1, 2}, f.tensors().get("a/x").f32());
        assertArrayEquals(new int[] {1, 2}, f.tensors().get("a/x").dims());
        assertEquals("🙂", f.metadata().get("k\n"));
    }

    @Test
    void zeroSizeTensorsMayShareAnOffset() throws IOException {
        String json = "{\"z1\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[4,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"z2\":{\"dtype\":\"F16\",\"shape\":[5,0],\"data_offsets\":[4,4]},"
                + "\"z0\":{\"dtype\":\"BF16\",\"shape\":[0],\"data_offsets\":[0,0]}}";
        byte[] header = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        SafeTensorsFile f = SafeTensors.decode(ByteBuffer.wrap(RawFiles.file(header.length, header,
                RawFiles.floats(9))));
        assertEquals(List.of("z1", "a", "z2", "z0"), List.copyOf(f.tensors().keySet()));
        assertArrayEquals(new int[] {5, 0}, f.tensors().get("z2").dims());
        assertEquals(DType.F64, f.tensors().get("z1").dtype());
    }

    @Test
    void aBufferIsReadFromItsPositionAndLeftAsItWas() throws IOException {
        byte[] file = SafeTensors.encode(java.util.Map.of("x", Tensor.of(new float[] {5}, 1)), null);
        ByteBuffer b = ByteBuffer.allocate(file.length + 3);
        b.put(new byte[] {1, 2, 3}).put(file).position(3);
        assertEquals(5f, SafeTensors.decode(b).tensors().get("x").item());
        assertEquals(3, b.position());
    }
}
