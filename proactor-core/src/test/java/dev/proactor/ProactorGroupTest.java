package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.select.Backends;
import dev.proactor.test.EachBackendPairExtension;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProactorGroupTest {

    @Test
    void membersHaveTheirOwnDispatchersAndNextGoesRoundRobin() throws Exception {
        ProactorConfig config = ProactorConfig.builder().name("grp").workerThreads(1).bufferCount(0).build();
        try (ProactorGroup group = ProactorGroup.open(3, config)) {
            assertThat(group.members()).hasSize(3);
            assertThat(group.members()).extracting(p -> p.config().name()).containsExactly("grp-0", "grp-1", "grp-2");
            List<Proactor> picked = List.of(group.next(), group.next(), group.next(), group.next());
            assertThat(picked.subList(0, 3)).containsExactlyInAnyOrderElementsOf(group.members());
            assertThat(picked.get(3)).isSameAs(picked.get(0));
            Set<String> dispatchers = new HashSet<>();
            for (Proactor p : group.members()) {
                p.nop().await();
                dispatchers.add(p.config().name() + "-dispatcher");
            }
            Set<String> live = new HashSet<>();
            Thread.getAllStackTraces().keySet().forEach(t -> live.add(t.getName()));
            assertThat(live).containsAll(dispatchers);
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("grp-"));
    }

    /**
     * listenEach gives every member a listener of its own on one port, and every one of them
     * accepts: plain clients connect one at a time (each waited for until some member accepted it)
     * until each member's accept handler has fired, at most {@value #MAX_CONNECTS} times; with
     * SO_REUSEPORT spreading connections by their source port, three members all being reached in
     * far fewer is certain (one member missing 400 connections has odds of (2/3)^400). Each accepted
     * connection echoes a byte through its own member, on that member's workers, and the fixture
     * then finds no descriptor or native byte left behind.
     */
    @ParameterizedTest
    @EnumSource(value = BackendChoice.class, names = {"IO_URING", "PORTABLE"})
    void listenEachGivesEveryMemberAListenerThatAccepts(BackendChoice backend) throws Exception {
        Backends.available(backend).ifPresent(why -> Assumptions.abort("backend " + backend + " unavailable: " + why));
        // Before the baselines: the JDK's one-time socket descriptor is no leak.
        EachBackendPairExtension.warmJdkSockets();
        ProactorFixture fixture = ProactorFixture.start(backend, "listenEach");
        int members = 3;
        ProactorConfig config = fixture.config().name("grp-listen").workerThreads(1).bufferCount(0).build();
        try (ProactorGroup group = ProactorGroup.open(members, config)) {
            List<AsyncServerSocket> listeners = group.listenEach(Sockets.loopback(), SocketOptions.defaults());
            assertThat(listeners).hasSize(members);
            int port = ((InetSocketAddress) listeners.getFirst().localAddress()).getPort();
            assertThat(listeners).allSatisfy(l -> assertThat(((InetSocketAddress) l.localAddress()).getPort())
                    .isEqualTo(port));
            AtomicIntegerArray acceptedBy = new AtomicIntegerArray(members);
            AtomicInteger accepted = new AtomicInteger();
            Queue<String> echoThreads = new ConcurrentLinkedQueue<>();
            List<OperationStream> streams = new java.util.ArrayList<>();
            for (int m = 0; m < members; m++) {
                int member = m;
                String workers = "grp-listen-" + m + "-";
                streams.add(listeners.get(m).acceptEach(socket -> {
                    ByteBuffer one = ByteBuffer.allocate(1);
                    socket.readFully(one).onComplete((n, f) -> {
                        echoThreads.add(Thread.currentThread().getName().startsWith(workers) ? "own"
                                : "member " + member + " read handler ran on " + Thread.currentThread().getName());
                        socket.writeAll(one.flip()).onComplete((w, g) -> socket.closeAsync());
                    });
                    acceptedBy.incrementAndGet(member);
                    accepted.incrementAndGet();
                }));
            }
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            int connects = 0;
            while (!allPositive(acceptedBy) && connects < MAX_CONNECTS) {
                try (Socket c = new Socket()) {
                    c.connect(target, 10_000);
                    c.setSoTimeout(10_000);
                    c.getOutputStream().write(connects);
                    assertThat(c.getInputStream().read()).as("echo of connection %d", connects).isEqualTo(connects & 0xff);
                }
                connects++;
                int expected = connects;
                Waits.until(Duration.ofSeconds(10), () -> accepted.get() == expected,
                        () -> "connection " + expected + " accepted by no member: " + acceptedBy);
            }
            assertThat(streams).as("accept streams still running").noneMatch(Operation::isDone);
            assertThat(allPositive(acceptedBy)).as("accepts per member after %d connections: %s", connects, acceptedBy)
                    .isTrue();
            Waits.until(Duration.ofSeconds(10), () -> echoThreads.size() == accepted.get(), () -> "echoes " + echoThreads);
            assertThat(echoThreads).as("every connection served by the member that accepted it").containsOnly("own");
            for (AsyncServerSocket l : listeners) {
                l.closeAsync().await(Ops.WAIT);
            }
        } finally {
            fixture.closeAndVerify();
        }
    }

    private static final int MAX_CONNECTS = 400;

    private static boolean allPositive(AtomicIntegerArray counts) {
        for (int i = 0; i < counts.length(); i++) {
            if (counts.get(i) == 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aBadMemberCountIsRefused() {
        ProactorConfig config = ProactorConfig.defaults();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProactorGroup.open(0, config))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("members");
    }
}
