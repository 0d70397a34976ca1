package dev.proactor.internal.uring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.internal.uring.ffi.IoUringConstants;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;

class UringSocketAddressesTest {

    private static SocketAddress roundTrip(SocketAddress a) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(IoUringLayouts.SOCKADDR_STORAGE);
            int len = SocketAddresses.encode(a, sa);
            return SocketAddresses.decode(sa, len);
        }
    }

    @Test
    void ipv4IsFamilyPortInNetworkOrderThenAddress() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 0x1234);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(IoUringLayouts.SOCKADDR_STORAGE);
            assertThat(SocketAddresses.encode(a, sa)).isEqualTo(16);
            assertThat(sa.get(JAVA_SHORT, 0)).isEqualTo((short) IoUringConstants.AF_INET);
            assertThat(sa.asSlice(2, 6).toArray(JAVA_BYTE)).containsExactly(0x12, 0x34, 10, 1, 2, 3);
            assertThat(SocketAddresses.decode(sa, 16)).isEqualTo(a);
        }
        assertThat(SocketAddresses.family(a)).isEqualTo(IoUringConstants.AF_INET);
    }

    @Test
    void ipv6KeepsPortAddressAndScope() throws Exception {
        InetSocketAddress loop = new InetSocketAddress(InetAddress.getByName("::1"), 65535);
        assertThat(roundTrip(loop)).isEqualTo(loop);
        assertThat(SocketAddresses.family(loop)).isEqualTo(IoUringConstants.AF_INET6);
        byte[] linkLocal = InetAddress.getByName("fe80::1").getAddress();
        InetSocketAddress scoped = new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 3), 80);
        InetSocketAddress back = (InetSocketAddress) roundTrip(scoped);
        assertThat(((Inet6Address) back.getAddress()).getScopeId()).isEqualTo(3);
        assertThat(back.getPort()).isEqualTo(80);
    }

    @Test
    void unixPathIsNulTerminatedAndItsLengthCountsTheNul() {
        UnixDomainSocketAddress a = UnixDomainSocketAddress.of("/tmp/x.sock");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(IoUringLayouts.SOCKADDR_STORAGE);
            int len = SocketAddresses.encode(a, sa);
            assertThat(len).isEqualTo(2 + "/tmp/x.sock".length() + 1);
            assertThat(sa.get(JAVA_BYTE, len - 1)).isZero();
            assertThat(SocketAddresses.decode(sa, len)).isEqualTo(a);
            // The kernel may report the length without the NUL; the path is the same.
            assertThat(SocketAddresses.decode(sa, len - 1)).isEqualTo(a);
        }
    }

    @Test
    void anUnnamedUnixPeerDecodesToTheEmptyPath() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(IoUringLayouts.SOCKADDR_STORAGE);
            sa.set(JAVA_SHORT, 0, (short) IoUringConstants.AF_UNIX);
            assertThat(SocketAddresses.decode(sa, 2)).isEqualTo(UnixDomainSocketAddress.of(""));
        }
    }

    @Test
    void refusesWhatTheKernelCouldNotTake() {
        assertThatThrownBy(() -> roundTrip(InetSocketAddress.createUnresolved("example.invalid", 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> roundTrip(UnixDomainSocketAddress.of("/" + "a".repeat(107))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sun_path");
        assertThat(roundTrip(UnixDomainSocketAddress.of("/" + "a".repeat(106))))
                .isEqualTo(UnixDomainSocketAddress.of("/" + "a".repeat(106)));
    }
}
