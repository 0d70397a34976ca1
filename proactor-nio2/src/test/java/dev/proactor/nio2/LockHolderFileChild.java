package dev.proactor.nio2;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Another process for {@link FileLockAcrossProcessesFileTest}, since POSIX record locks conflict
 * only between processes. {@code hold}: takes an exclusive lock of the whole file, prints
 * {@code locked}, and keeps it until its standard input ends. {@code probe}: prints {@code free} if
 * it could take that lock at once, else {@code held}.
 */
final class LockHolderFileChild {

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[1]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (args[0].equals("hold")) {
                FileLock lock = ch.lock();
                System.out.println("locked");
                System.out.flush();
                System.in.readAllBytes();
                lock.release();
            } else {
                FileLock lock = ch.tryLock();
                System.out.println(lock == null ? "held" : "free");
            }
        }
    }
}
