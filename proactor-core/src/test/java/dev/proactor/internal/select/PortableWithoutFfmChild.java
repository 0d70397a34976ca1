package dev.proactor.internal.select;

import dev.proactor.AsyncFile;
import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.BackendChoice;
import dev.proactor.Operation;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a child JVM started with {@code --illegal-native-access=deny} and no
 * {@code --enable-native-access}: opens the portable backend, chosen by name, and uses it (a nop, a
 * file written and read, a loopback connection, the capability report); prints {@code PORTABLE=ok}
 * and what it read, or the error.
 */
public final class PortableWithoutFfmChild {
    private PortableWithoutFfmChild() {}

    public static void main(String[] args) throws Exception {
        Path file = Files.createTempFile("portable-without-ffm", ".bin");
        try (Proactor p = Proactor.open(ProactorConfig.builder().backend(BackendChoice.PORTABLE).workerThreads(1)
                .build())) {
            p.nop().await();
            try (AsyncFile f = p.openFile(file, StandardOpenOption.READ, StandardOpenOption.WRITE).await()) {
                f.write(0, ByteBuffer.wrap("file".getBytes(StandardCharsets.US_ASCII))).await();
                ByteBuffer back = ByteBuffer.allocate(4);
                f.read(0, back).await();
                System.out.println("FILE=" + new String(back.array(), StandardCharsets.US_ASCII));
            }
            try (AsyncServerSocket l = p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).await()) {
                Operation<AsyncSocket> accepted = l.accept();
                try (AsyncSocket c = p.connect(l.localAddress()).await(); AsyncSocket s = accepted.await()) {
                    c.write(ByteBuffer.wrap("sock".getBytes(StandardCharsets.US_ASCII))).await();
                    ByteBuffer back = ByteBuffer.allocate(4);
                    while (back.hasRemaining()) {
                        s.read(back).await();
                    }
                    System.out.println("SOCKET=" + new String(back.array(), StandardCharsets.US_ASCII));
                }
            }
            System.out.println("REPORT=" + p.capabilities().backend() + " | " + p.capabilities().ioUringUnavailableCause().orElse("none"));
            System.out.println("PORTABLE=ok");
        } catch (Exception e) {
            System.out.println("PORTABLE=error " + e);
            e.printStackTrace(System.out);
        } finally {
            Files.delete(file);
        }
    }
}
