package dev.proactor.internal.core;

import dev.proactor.AsyncServerSocket;
import dev.proactor.CloseReport;
import dev.proactor.ProactorException;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.ProactorGroup;
import dev.proactor.SocketOptions;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A fixed set of proactors, one dispatcher and ring each. Thread-safe. */
public final class Group implements ProactorGroup {
    private final List<Proactor> members;
    private final AtomicInteger next = new AtomicInteger();

    private Group(List<Proactor> members) {
        this.members = List.copyOf(members);
    }

    /** Opens {@code n} members through {@code opener}; a member that fails to open closes the others. */
    public static ProactorGroup open(int n, ProactorConfig config, Function<ProactorConfig, Proactor> opener) {
        if (n < 1 || n > 1024) {
            throw new IllegalArgumentException("members must be in [1, 1024]: " + n);
        }
        List<Proactor> opened = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                opened.add(opener.apply(config.toBuilder().name(config.name() + "-" + i).build()));
            }
        } catch (RuntimeException | Error e) {
            for (Proactor p : opened) {
                p.close();
            }
            throw e;
        }
        return new Group(opened);
    }

    @Override
    public List<Proactor> members() {
        return members;
    }

    @Override
    public Proactor next() {
        return members.get(Math.floorMod(next.getAndIncrement(), members.size()));
    }

    @Override
    public List<AsyncServerSocket> listenEach(SocketAddress local, SocketOptions options)
            throws ProactorException, InterruptedException {
        SocketOptions shared = options.withReusePort(true);
        List<AsyncServerSocket> listeners = new ArrayList<>(members.size());
        boolean done = false;
        try {
            SocketAddress address = local;
            for (Proactor p : members) {
                AsyncServerSocket l = p.listen(address, shared).await();
                listeners.add(l);
                address = samePort(local, l.localAddress());
            }
            done = true;
            return List.copyOf(listeners);
        } finally {
            if (!done) {
                for (AsyncServerSocket l : listeners) {
                    l.closeAsync();
                }
            }
        }
    }

    @Override
    public List<CloseReport> close(Duration deadline) {
        List<CloseReport> reports = new ArrayList<>(members.size());
        for (Proactor p : members) {
            reports.add(p.close(deadline));
        }
        return reports;
    }

    @Override
    public void close() {
        for (Proactor p : members) {
            p.close();
        }
    }

    /** The port chosen by the first listener, for the others to share. */
    static SocketAddress samePort(SocketAddress requested, SocketAddress bound) {
        if (requested instanceof InetSocketAddress r && bound instanceof InetSocketAddress b && r.getPort() == 0) {
            return new InetSocketAddress(r.getAddress(), b.getPort());
        }
        return requested;
    }
}
