package dev.proactor.nio2;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Run by {@link DefaultFileSystemProviderFlagFileTest} in a JVM started with the
 * {@code java.nio.file.spi.DefaultFileSystemProvider} flag: plain NIO.2 code, with no reference to
 * this project, whose observations are printed one {@code key=value} a line for the test to check.
 */
final class DefaultProviderFileChild {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        System.out.println("provider=" + FileSystems.getDefault().provider().getClass().getName());
        Path file = dir.resolve("async.bin");
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, READ, WRITE, CREATE_NEW)) {
            System.out.println("channel=" + ch.getClass().getName());
            if (ch instanceof ProactorFileChannel p) {
                System.out.println("backend=" + p.backendName());
            }
            ch.write(ByteBuffer.wrap("hello, ring".getBytes(StandardCharsets.UTF_8)), 0).get();
            ByteBuffer back = ByteBuffer.allocate(64);
            ch.read(back, 0).get();
            System.out.println("async=" + new String(back.array(), 0, back.position(), StandardCharsets.UTF_8));
        }
        Files.createDirectories(dir.resolve("sub/deeper"));
        Files.writeString(dir.resolve("sub/deeper/note.txt"), "walked");
        System.out.println("read=" + Files.readString(file));
        try (Stream<Path> list = Files.list(dir)) {
            System.out.println("list=" + list.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            System.out.println("walk=" + walk.map(p -> dir.relativize(p).toString()).sorted().toList());
        }
        System.out.println("toFile=" + file.toFile().toPath().equals(file));
        try (Stream<Path> walk = Files.walk(dir.resolve("sub"))) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        Files.delete(file);
        System.out.println("left=" + Files.list(dir).count());
    }
}
