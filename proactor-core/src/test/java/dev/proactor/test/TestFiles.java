package dev.proactor.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Test data files written and checked with plain blocking NIO, independent of the proactor. */
public final class TestFiles {
    private TestFiles() {}

    /** Writes {@code size} pseudo-random bytes from {@code seed} to {@code path}; returns their SHA-256. */
    public static String writeRandom(Path path, long size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest sha = sha256();
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(chunk.capacity(), left);
                chunk.clear().limit(n);
                while (chunk.remaining() >= 8) {
                    chunk.putLong(random.nextLong());
                }
                while (chunk.hasRemaining()) {
                    chunk.put((byte) random.nextInt());
                }
                chunk.flip();
                sha.update(chunk.duplicate());
                while (chunk.hasRemaining()) {
                    ch.write(chunk);
                }
                left -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The SHA-256 of a file's content, hex. */
    public static String sha256(Path path) {
        MessageDigest sha = sha256();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** {@code length} bytes of the file from {@code position}. */
    public static byte[] slice(Path path, long position, int length) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining() && ch.read(b, position + b.position()) > 0) {
                // keep reading
            }
            return b.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
