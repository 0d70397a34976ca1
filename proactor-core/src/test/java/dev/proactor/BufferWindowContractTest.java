package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One buffer used again and again, as a connection uses its buffers, moves the bytes of the window
 * it has at each call: its position and limit then, whatever it had the time before. A resource
 * keeps the view of the last direct buffer it used per direction, and a heap buffer is copied from
 * and into its array at its array offset; these tests hold both to the window of each call.
 */
class BufferWindowContractTest {

    /** Windows of a 64-byte buffer: the same one twice, then moved position, moved limit, both. */
    private static final int[][] WINDOWS = {{0, 64}, {0, 64}, {8, 64}, {8, 40}, {0, 40}, {17, 23}, {0, 64}};

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Direct and heap (a slice, so its array offset is not 0) buffers of 64 bytes. */
    private static ByteBuffer[] buffers() {
        return new ByteBuffer[] {ByteBuffer.allocateDirect(64), ByteBuffer.wrap(new byte[100], 30, 64).slice()};
    }

    @EachBackend
    void writesFromOneBufferSendEachCallsWindow(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        for (ByteBuffer b : buffers()) {
            String kind = b.isDirect() ? "direct" : "heap slice";
            Path path = fixture.tempDir().resolve((b.isDirect() ? "direct" : "heap") + "-writes.bin");
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            try (AsyncFile f = Ops.result(p.openFile(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW))) {
                long at = 0;
                for (int i = 0; i < WINDOWS.length; i++) {
                    byte[] content = random(64, i);
                    b.clear().put(content).clear();
                    int from = WINDOWS[i][0];
                    int to = WINDOWS[i][1];
                    b.limit(to).position(from);
                    assertThat(Ops.result(f.writeAll(at, b))).as(kind + " window %d", i).isEqualTo((long) (to - from));
                    assertThat(b.position()).as(kind + " position after window %d", i).isEqualTo(to);
                    expected.write(content, from, to - from);
                    at += to - from;
                }
            }
            assertThat(Arrays.mismatch(Files.readAllBytes(path), expected.toByteArray())).as(kind + " file").isEqualTo(-1);
        }
    }

    @EachBackend
    void readsIntoOneBufferFillEachCallsWindow(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        byte[] file = random(64 * WINDOWS.length, 42);
        Path path = fixture.tempDir().resolve("reads.bin");
        Files.write(path, file);
        try (AsyncFile f = Ops.result(p.openFile(path, StandardOpenOption.READ))) {
            for (ByteBuffer b : buffers()) {
                String kind = b.isDirect() ? "direct" : "heap slice";
                long at = 0;
                for (int i = 0; i < WINDOWS.length; i++) {
                    byte[] before = random(64, 1000 + i);
                    b.clear().put(before).clear();
                    int from = WINDOWS[i][0];
                    int to = WINDOWS[i][1];
                    b.limit(to).position(from);
                    assertThat(Ops.result(f.readFully(at, b))).as(kind + " window %d", i).isEqualTo((long) (to - from));
                    assertThat(b.position()).as(kind + " position after window %d", i).isEqualTo(to);
                    byte[] now = new byte[64];
                    b.clear().get(now);
                    byte[] want = before.clone();
                    System.arraycopy(file, (int) at, want, from, to - from);
                    assertThat(now).as(kind + " bytes after window %d (outside it untouched)", i).isEqualTo(want);
                    at += to - from;
                }
            }
        }
    }

    @EachBackend
    void oneDirectBufferSentThenReceivedOnOneSocketKeepsEachDirectionsWindow(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        try {
            ByteBuffer b = ByteBuffer.allocateDirect(64);
            ByteBuffer back = ByteBuffer.allocateDirect(64);
            for (int i = 0; i < WINDOWS.length; i++) {
                int from = WINDOWS[i][0];
                int to = WINDOWS[i][1];
                byte[] content = random(64, 2000 + i);
                b.clear().put(content).limit(to).position(from);
                // Out of b, back in on the other end, and straight back into b's window on the same socket.
                assertThat(Ops.result(c.client().writeAll(b))).isEqualTo((long) (to - from));
                back.clear().limit(to - from);
                assertThat(Ops.result(c.server().readFully(back))).isEqualTo((long) (to - from));
                assertThat(Ops.result(c.server().writeAll(back.flip()))).isEqualTo((long) (to - from));
                b.clear().put(new byte[64]).limit(to).position(from);
                assertThat(Ops.result(c.client().readFully(b))).as("window %d", i).isEqualTo((long) (to - from));
                byte[] now = new byte[64];
                b.clear().get(now);
                byte[] want = new byte[64];
                System.arraycopy(content, from, want, from, to - from);
                assertThat(now).as("bytes after window %d", i).isEqualTo(want);
            }
        } finally {
            c.close();
            listener.close();
        }
    }
}
