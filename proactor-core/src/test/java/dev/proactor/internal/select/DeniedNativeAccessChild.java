package dev.proactor.internal.select;

import dev.proactor.BackendChoice;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.io.UncheckedIOException;

/**
 * Run in a child JVM started with {@code --illegal-native-access=deny} and no
 * {@code --enable-native-access}: prints what AUTO and IO_URING do, one {@code key=value} line
 * each, and exits 0.
 */
public final class DeniedNativeAccessChild {
    private DeniedNativeAccessChild() {}

    public static void main(String[] args) {
        try (Proactor p = Proactor.open(ProactorConfig.builder().backend(BackendChoice.AUTO).workerThreads(1)
                .bufferCount(0).build())) {
            p.nop().await();
            System.out.println("AUTO=" + p.backendName() + " | " + p.capabilities().reason());
        } catch (Exception e) {
            System.out.println("AUTO=error " + e);
        }
        try (Proactor p = Proactor.open(ProactorConfig.builder().backend(BackendChoice.IO_URING).workerThreads(1)
                .bufferCount(0).build())) {
            System.out.println("IO_URING=opened " + p.backendName());
        } catch (UncheckedIOException e) {
            System.out.println("IO_URING=refused " + e.getCause().getMessage());
            Throwable root = e.getCause().getCause();
            while (root != null && root.getCause() != null && !(root instanceof IllegalCallerException)) {
                root = root.getCause();
            }
            System.out.println("IO_URING.cause=" + (root == null ? "none" : root.getClass().getName()));
        } catch (Exception e) {
            System.out.println("IO_URING=error " + e);
        }
    }
}
