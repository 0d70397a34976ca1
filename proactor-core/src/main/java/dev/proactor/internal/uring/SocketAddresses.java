package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.AF_INET;
import static dev.proactor.internal.uring.ffi.IoUringConstants.AF_INET6;
import static dev.proactor.internal.uring.ffi.IoUringConstants.AF_UNIX;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.proactor.internal.uring.ffi.IoUringLayouts;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;

/**
 * Converts Java socket addresses to the kernel's {@code sockaddr} bytes and back. Stateless and
 * thread-safe; every offset comes from {@link IoUringLayouts}.
 *
 * <p>Unix-domain paths are encoded as the JDK encodes file names ({@code sun.jnu.encoding}, UTF-8
 * when unset). An abstract-namespace or unnamed Unix address (a client socket that never bound)
 * decodes to the empty path, as the JDK reports it.
 */
final class SocketAddresses {
    private SocketAddresses() {}

    private static final Charset PATH_CHARSET = pathCharset();

    private static Charset pathCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** The address family (AF_INET, AF_INET6, AF_UNIX) a socket for {@code address} needs. */
    static int family(SocketAddress address) {
        return switch (address) {
            case InetSocketAddress inet when inet.isUnresolved() ->
                    throw new IllegalArgumentException("unresolved address: " + inet);
            case InetSocketAddress inet -> inet.getAddress() instanceof Inet6Address ? AF_INET6 : AF_INET;
            case UnixDomainSocketAddress unix -> AF_UNIX;
            default -> throw new IllegalArgumentException("unsupported address type: " + address.getClass().getName());
        };
    }

    /**
     * Writes {@code address} as a sockaddr at the start of {@code out}, which must hold a
     * {@link IoUringLayouts#SOCKADDR_STORAGE}, and returns its length for bind or connect.
     *
     * @throws IllegalArgumentException for an unresolved or unsupported address, or a Unix path
     *     that does not fit sun_path with its terminating NUL
     */
    static int encode(SocketAddress address, MemorySegment out) {
        int family = family(address);
        out.asSlice(0, IoUringLayouts.SOCKADDR_STORAGE_SIZE).fill((byte) 0);
        switch (family) {
            case AF_INET -> {
                InetSocketAddress inet = (InetSocketAddress) address;
                out.set(JAVA_SHORT, IoUringLayouts.SIN_FAMILY, (short) AF_INET);
                out.set(IoUringLayouts.NET_U16, IoUringLayouts.SIN_PORT, (short) inet.getPort());
                MemorySegment.copy(inet.getAddress().getAddress(), 0, out, JAVA_BYTE, IoUringLayouts.SIN_ADDR,
                        IoUringLayouts.SIN_ADDR_LEN);
                return (int) IoUringLayouts.SOCKADDR_IN_SIZE;
            }
            case AF_INET6 -> {
                InetSocketAddress inet = (InetSocketAddress) address;
                Inet6Address a = (Inet6Address) inet.getAddress();
                out.set(JAVA_SHORT, IoUringLayouts.SIN6_FAMILY, (short) AF_INET6);
                out.set(IoUringLayouts.NET_U16, IoUringLayouts.SIN6_PORT, (short) inet.getPort());
                MemorySegment.copy(a.getAddress(), 0, out, JAVA_BYTE, IoUringLayouts.SIN6_ADDR,
                        IoUringLayouts.SIN6_ADDR_LEN);
                out.set(JAVA_INT, IoUringLayouts.SIN6_SCOPE_ID, a.getScopeId());
                return (int) IoUringLayouts.SOCKADDR_IN6_SIZE;
            }
            default -> {
                byte[] path = ((UnixDomainSocketAddress) address).getPath().toString().getBytes(PATH_CHARSET);
                if (path.length >= IoUringLayouts.SUN_PATH_LEN) {
                    throw new IllegalArgumentException("Unix socket path of " + path.length
                            + " bytes; sun_path holds " + (IoUringLayouts.SUN_PATH_LEN - 1));
                }
                if (indexOfNul(path) >= 0) {
                    throw new IllegalArgumentException("Unix socket path contains a NUL character");
                }
                out.set(JAVA_SHORT, IoUringLayouts.SUN_FAMILY, (short) AF_UNIX);
                MemorySegment.copy(path, 0, out, JAVA_BYTE, IoUringLayouts.SUN_PATH, path.length);
                // The path's length plus its NUL, after the family: what the kernel expects (unix(7)).
                return (int) IoUringLayouts.SUN_PATH + path.length + 1;
            }
        }
    }

    /**
     * Reads the sockaddr of {@code len} bytes at the start of {@code in}, as accept, getsockname
     * and getpeername wrote it.
     *
     * @throws IllegalArgumentException for a family other than AF_INET, AF_INET6 or AF_UNIX
     */
    static SocketAddress decode(MemorySegment in, int len) {
        int family = Short.toUnsignedInt(in.get(JAVA_SHORT, IoUringLayouts.SS_FAMILY));
        switch (family) {
            case AF_INET -> {
                byte[] a = new byte[IoUringLayouts.SIN_ADDR_LEN];
                MemorySegment.copy(in, JAVA_BYTE, IoUringLayouts.SIN_ADDR, a, 0, a.length);
                int port = Short.toUnsignedInt(in.get(IoUringLayouts.NET_U16, IoUringLayouts.SIN_PORT));
                return new InetSocketAddress(inetAddress(a, 0), port);
            }
            case AF_INET6 -> {
                byte[] a = new byte[IoUringLayouts.SIN6_ADDR_LEN];
                MemorySegment.copy(in, JAVA_BYTE, IoUringLayouts.SIN6_ADDR, a, 0, a.length);
                int port = Short.toUnsignedInt(in.get(IoUringLayouts.NET_U16, IoUringLayouts.SIN6_PORT));
                return new InetSocketAddress(inetAddress(a, in.get(JAVA_INT, IoUringLayouts.SIN6_SCOPE_ID)), port);
            }
            case AF_UNIX -> {
                int n = Math.min(len - (int) IoUringLayouts.SUN_PATH, IoUringLayouts.SUN_PATH_LEN);
                if (n <= 0 || in.get(JAVA_BYTE, IoUringLayouts.SUN_PATH) == 0) {
                    return UnixDomainSocketAddress.of("");
                }
                byte[] path = new byte[n];
                MemorySegment.copy(in, JAVA_BYTE, IoUringLayouts.SUN_PATH, path, 0, n);
                int end = indexOfNul(path);
                try {
                    return UnixDomainSocketAddress.of(new String(path, 0, end < 0 ? n : end, PATH_CHARSET));
                } catch (InvalidPathException e) {
                    return UnixDomainSocketAddress.of("");
                }
            }
            default -> throw new IllegalArgumentException("unexpected address family " + family);
        }
    }

    private static InetAddress inetAddress(byte[] bytes, int scopeId) {
        try {
            // 16 bytes of an IPv4-mapped address come back as an Inet4Address, as the JDK reports them.
            if (bytes.length == IoUringLayouts.SIN6_ADDR_LEN && scopeId != 0) {
                return Inet6Address.getByAddress(null, bytes, scopeId);
            }
            InetAddress a = InetAddress.getByAddress(bytes);
            assert bytes.length != IoUringLayouts.SIN_ADDR_LEN || a instanceof Inet4Address;
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + bytes.length + " bytes", e);
        }
    }

    private static int indexOfNul(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
