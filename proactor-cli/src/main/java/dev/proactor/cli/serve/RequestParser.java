package dev.proactor.cli.serve;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses one HTTP/1.x request head (RFC 9112) from the bytes a connection has buffered. Stateless
 * and thread-safe: it looks at the buffer from index 0 to {@code length} and either asks for more
 * bytes, returns the request and how many bytes it took (the rest belongs to the next, pipelined,
 * request), or rejects it with the status to answer. It never throws for any input.
 *
 * <p>Decisions: lines may end in CRLF or a bare LF (RFC 9112 section 2.2 allows it); up to
 * {@value #MAX_LEADING_EMPTY_LINES} empty lines before a request line are skipped; obsolete line
 * folding, a bare CR, whitespace before a header's colon and control characters are 400, and so is
 * a Host header that is missing (HTTP/1.1), repeated or not {@code host [":" port]}
 * ({@link HostSyntax}). Only GET and HEAD are served: other standard methods get 405, unknown ones
 * 501. Since bodies are never read, a request announcing one ({@code Content-Length} above 0 or
 * {@code Transfer-Encoding: chunked}) gets 413 and any other transfer coding 501; the connection
 * closes after either.
 */
final class RequestParser {
    /** Empty lines tolerated before a request line (RFC 9112 section 2.2: "at least one"). */
    static final int MAX_LEADING_EMPTY_LINES = 4;

    private static final Set<String> OTHER_STANDARD_METHODS =
            Set.of("POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private RequestParser() {}

    /** What the parser made of the buffered bytes. */
    sealed interface Result {}

    /** The head is not complete yet, and within the limits: read more. */
    record Incomplete() implements Result {}

    /** A request whose head took the first {@code length} bytes. */
    record Parsed(HttpRequest request, int length) implements Result {}

    /**
     * A request to answer with {@code status} and then close.
     *
     * @param requestLine the request line when it could be read (for the access log), else null
     */
    record Rejected(int status, String reason, String requestLine) implements Result {}

    private static final Incomplete INCOMPLETE = new Incomplete();

    /**
     * Parses the head held in {@code in} at indexes {@code [0, length)}; the buffer's position and
     * limit are not used or changed.
     *
     * @param maxRequestLine the longest request line accepted, without its line end (414 above it)
     * @param maxHead the longest head accepted, request line and line ends included (431 above it);
     *     the caller's buffer holds at least this many bytes
     */
    static Result parse(ByteBuffer in, int length, int maxRequestLine, int maxHead) {
        int start = 0;
        int empty = 0;
        while (true) {
            if (start < length && in.get(start) == '\n') {
                start++;
            } else if (start + 1 < length && in.get(start) == '\r' && in.get(start + 1) == '\n') {
                start += 2;
            } else {
                break;
            }
            if (++empty > MAX_LEADING_EMPTY_LINES) {
                return new Rejected(400, "empty lines before the request", null);
            }
        }
        int lineEnd = indexOf(in, start, length, (byte) '\n');
        if (lineEnd < 0) {
            if (length - start > maxRequestLine) {
                return new Rejected(414, "request line longer than " + maxRequestLine + " bytes", null);
            }
            return length >= maxHead ? new Rejected(431, "request head larger than " + maxHead + " bytes", null)
                    : INCOMPLETE;
        }
        int lineStop = lineEnd > start && in.get(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
        if (lineStop - start > maxRequestLine) {
            return new Rejected(414, "request line longer than " + maxRequestLine + " bytes", null);
        }
        // The end of the head: an empty line after the request line.
        int headEnd = -1;
        int pos = lineEnd + 1;
        while (pos < length) {
            int next = indexOf(in, pos, length, (byte) '\n');
            if (next < 0) {
                break;
            }
            if (next == pos || (next == pos + 1 && in.get(pos) == '\r')) {
                headEnd = next + 1;
                break;
            }
            pos = next + 1;
        }
        if (headEnd < 0) {
            return length >= maxHead ? new Rejected(431, "request head larger than " + maxHead + " bytes", null)
                    : INCOMPLETE;
        }
        if (headEnd > maxHead) {
            return new Rejected(431, "request head larger than " + maxHead + " bytes", null);
        }
        return parseHead(in, start, lineStop, lineEnd + 1, headEnd);
    }

    private static Result parseHead(ByteBuffer in, int start, int lineStop, int headersStart, int headEnd) {
        // Request line: method SP request-target SP HTTP-version, each byte visible ASCII.
        for (int i = start; i < lineStop; i++) {
            byte b = in.get(i);
            if (b != ' ' && (b < 0x21 || b > 0x7e)) {
                return new Rejected(400, "invalid byte in the request line", null);
            }
        }
        String line = ascii(in, start, lineStop);
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || sp2 == sp1 + 1 || line.indexOf(' ', sp2 + 1) >= 0 || sp2 == line.length() - 1) {
            return new Rejected(400, "malformed request line", null);
        }
        // The two methods served are the constants, the version is read in place: no substring of
        // the line but the target's.
        String method = line.startsWith("GET ") ? "GET" : line.startsWith("HEAD ") ? "HEAD" : line.substring(0, sp1);
        for (int i = 0; i < method.length(); i++) {
            if (!isTchar(method.charAt(i))) {
                return new Rejected(400, "malformed method", line);
            }
        }
        int v = sp2 + 1;
        if (line.length() - v != 8 || !line.startsWith("HTTP/", v) || !isDigit(line.charAt(v + 5))
                || line.charAt(v + 6) != '.' || !isDigit(line.charAt(v + 7))) {
            return new Rejected(400, "malformed HTTP version", line);
        }
        int major = line.charAt(v + 5) - '0';
        int minor = line.charAt(v + 7) - '0';
        if (major != 1) {
            return new Rejected(505, "HTTP version " + major + "." + minor + " not supported", line);
        }
        minor = Math.min(minor, 1);

        // Header fields.
        int hosts = 0;
        String host = null;
        String contentLength = null;
        String transferEncoding = null;
        boolean close = false;
        boolean keepAliveToken = false;
        String ims = null;
        String inm = null;
        String range = null;
        String ifRange = null;
        int pos = headersStart;
        while (true) {
            int nl = indexOf(in, pos, headEnd, (byte) '\n');
            int stop = nl > pos && in.get(nl - 1) == '\r' ? nl - 1 : nl;
            if (stop == pos) {
                break; // the empty line
            }
            byte first = in.get(pos);
            if (first == ' ' || first == '\t') {
                return new Rejected(400, "obsolete line folding", line);
            }
            int colon = -1;
            for (int i = pos; i < stop; i++) {
                byte b = in.get(i);
                if (b == ':') {
                    colon = i;
                    break;
                }
                if (!isTchar((char) (b & 0xff))) {
                    return new Rejected(400, "malformed header name", line);
                }
            }
            if (colon <= pos) {
                return new Rejected(400, "malformed header line", line);
            }
            for (int i = colon + 1; i < stop; i++) {
                int b = in.get(i) & 0xff;
                if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    return new Rejected(400, "invalid byte in a header value", line);
                }
            }
            // The value without the optional whitespace around it (RFC 9110 section 5.5).
            int from = colon + 1;
            int to = stop;
            while (from < to && isWhitespace(in.get(from))) {
                from++;
            }
            while (to > from && isWhitespace(in.get(to - 1))) {
                to--;
            }
            // Only a header acted on becomes a string, and only its value.
            String name = knownName(in, pos, colon);
            if (name == null) {
                pos = nl + 1;
                continue;
            }
            String value = latin1(in, from, to);
            switch (name) {
                case "host" -> {
                    hosts++;
                    host = value;
                }
                case "content-length" -> {
                    if (contentLength != null && !contentLength.equals(value)) {
                        return new Rejected(400, "conflicting Content-Length", line);
                    }
                    contentLength = value;
                }
                case "transfer-encoding" -> transferEncoding =
                        transferEncoding == null ? value : transferEncoding + "," + value;
                case "connection" -> {
                    for (String token : value.split(",")) {
                        String t = token.strip().toLowerCase(Locale.ROOT);
                        close |= t.equals("close");
                        keepAliveToken |= t.equals("keep-alive");
                    }
                }
                case "if-modified-since" -> ims = value;
                case "if-none-match" -> inm = inm == null ? value : inm + ", " + value;
                case "range" -> {
                    if (range != null) {
                        return new Rejected(400, "more than one Range", line);
                    }
                    range = value;
                }
                case "if-range" -> ifRange = value;
                default -> { }
            }
            pos = nl + 1;
        }

        if (!method.equals("GET") && !method.equals("HEAD")) {
            return OTHER_STANDARD_METHODS.contains(method)
                    ? new Rejected(405, "method " + method + " not allowed", line)
                    : new Rejected(501, "method " + method + " not implemented", line);
        }
        // RFC 9112 section 3.2: 400 for a missing Host in HTTP/1.1, and in any version for more
        // than one or an invalid one.
        if (hosts > 1) {
            return new Rejected(400, "more than one Host header", line);
        }
        if (host == null ? minor == 1 : !HostSyntax.isValid(host)) {
            return new Rejected(400, host == null ? "no Host header" : "invalid Host header", line);
        }
        if (transferEncoding != null) {
            if (contentLength != null) {
                return new Rejected(400, "both Transfer-Encoding and Content-Length", line);
            }
            String last = transferEncoding.substring(transferEncoding.lastIndexOf(',') + 1).strip();
            return last.equalsIgnoreCase("chunked")
                    ? new Rejected(413, "request bodies are not accepted", line)
                    : new Rejected(501, "transfer coding not implemented", line);
        }
        if (contentLength != null) {
            if (contentLength.isEmpty() || contentLength.length() > 18 || !contentLength.chars().allMatch(RequestParser::isDigit)) {
                return new Rejected(400, "malformed Content-Length", line);
            }
            if (Long.parseLong(contentLength) > 0) {
                return new Rejected(413, "request bodies are not accepted", line);
            }
        }
        Object target = parseTarget(line, sp1 + 1, sp2);
        if (target instanceof Rejected r) {
            return new Rejected(r.status(), r.reason(), line);
        }
        boolean keepAlive = minor == 1 ? !close : keepAliveToken && !close;
        return new Parsed(new HttpRequest(line, method, minor, (HttpRequest.Target) target, keepAlive, ims, inm,
                range, ifRange), headEnd);
    }

    /**
     * Validates and decodes the request target: origin form ("/path?query"), or absolute form whose
     * scheme and authority are dropped. Returns a {@link HttpRequest.Target} or a {@link Rejected}.
     * Anything that could step outside the served directory or hide a path separator is 403.
     */
    static Object parseTarget(String raw) {
        return parseTarget(raw, 0, raw.length());
    }

    /**
     * {@link #parseTarget(String)} of {@code line}'s characters {@code [from, to)} (visible ASCII),
     * without copying them first: a segment without escapes is one substring, and a path of one
     * segment needs no list.
     */
    private static Object parseTarget(String line, int from, int to) {
        int start = from;
        if (line.regionMatches(true, from, "http://", 0, 7) || line.regionMatches(true, from, "https://", 0, 8)) {
            int slash = line.indexOf('/', line.indexOf("//", from) + 2);
            if (slash < 0 || slash >= to) {
                return new HttpRequest.Target(List.of(), true, null); // an authority without a path: the root
            }
            start = slash;
        }
        if (start >= to || line.charAt(start) != '/') {
            return new Rejected(400, "request target is not a path", null);
        }
        int hash = line.indexOf('#', start);
        if (hash >= 0 && hash < to) {
            return new Rejected(400, "fragment in the request target", null);
        }
        int q = line.indexOf('?', start);
        int pathEnd = q < 0 || q >= to ? to : q;
        String rawQuery = pathEnd == to ? null : line.substring(pathEnd + 1, to);

        // Percent-decoding, segment by segment, so an encoded slash cannot become a separator.
        List<String> segments = null;
        String only = null; // the first segment, alone until a second comes
        int next;
        for (int a = start + 1; a < pathEnd; a = next + 1) {
            next = line.indexOf('/', a);
            if (next < 0 || next > pathEnd) {
                next = pathEnd;
            }
            if (next == a) {
                continue; // "//" and the trailing slash
            }
            int pct = line.indexOf('%', a);
            Object decoded = pct < 0 || pct >= next ? plainSegment(line, a, next) : decodeSegment(line, a, next);
            if (decoded instanceof Rejected r) {
                return r;
            }
            String segment = (String) decoded;
            if (segment.equals(".") || segment.equals("..")) {
                return new Rejected(403, "dot segment in the path", null);
            }
            for (int j = 0; j < segment.length(); j++) {
                if (Character.isISOControl(segment.charAt(j))) {
                    return new Rejected(403, "control character in the path", null);
                }
            }
            if (only == null) {
                only = segment;
            } else {
                if (segments == null) {
                    segments = new ArrayList<>(4);
                    segments.add(only);
                }
                segments.add(segment);
            }
        }
        boolean trailingSlash = line.charAt(pathEnd - 1) == '/';
        List<String> list = segments != null ? segments : only != null ? List.of(only) : List.of();
        return new HttpRequest.Target(list, trailingSlash, rawQuery);
    }

    /** A segment without escapes: its characters are its bytes (visible ASCII), the backslash forbidden. */
    private static Object plainSegment(String line, int from, int to) {
        int backslash = line.indexOf('\\', from);
        if (backslash >= 0 && backslash < to) {
            return new Rejected(403, "forbidden byte in the path", null);
        }
        return line.substring(from, to);
    }

    /** A segment with percent-escapes, decoded and checked: its string, or a {@link Rejected}. */
    private static Object decodeSegment(String line, int from, int to) {
        byte[] bytes = new byte[to - from];
        int n = 0;
        for (int j = from; j < to; j++) {
            char c = line.charAt(j);
            if (c == '%') {
                if (j + 2 >= to || hex(line.charAt(j + 1)) < 0 || hex(line.charAt(j + 2)) < 0) {
                    return new Rejected(400, "malformed percent-encoding", null);
                }
                bytes[n++] = (byte) (hex(line.charAt(j + 1)) << 4 | hex(line.charAt(j + 2)));
                j += 2;
            } else {
                bytes[n++] = (byte) c;
            }
        }
        boolean ascii = true;
        for (int j = 0; j < n; j++) {
            if (bytes[j] == 0 || bytes[j] == '/' || bytes[j] == '\\') {
                return new Rejected(403, "forbidden byte in the path", null);
            }
            ascii &= bytes[j] >= 0;
        }
        if (ascii) {
            return new String(bytes, 0, n, StandardCharsets.ISO_8859_1); // ASCII is its own UTF-8: no decoder
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n)).toString();
        } catch (CharacterCodingException e) {
            return new Rejected(404, "path is not UTF-8", null); // no file here has such a name
        }
    }

    /**
     * The lower-case name of a header the parser acts on, when {@code in[from, to)} is one (the
     * name's case ignored), else null: no string is made for a header that is skipped.
     */
    private static String knownName(ByteBuffer in, int from, int to) {
        for (String name : KNOWN_HEADERS) {
            if (name.length() == to - from && equalsIgnoreCase(in, from, name)) {
                return name;
            }
        }
        return null;
    }

    private static final String[] KNOWN_HEADERS = {
        "host", "connection", "content-length", "transfer-encoding", "if-modified-since", "if-none-match",
        "range", "if-range"
    };

    /** Whether {@code in} holds {@code lower} (lower-case ASCII) at {@code from}, ignoring ASCII case. */
    private static boolean equalsIgnoreCase(ByteBuffer in, int from, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            int b = in.get(from + i);
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Optional whitespace (RFC 9110 section 5.6.3): of what {@code String.strip} drops, the only
     * characters a checked header value may hold.
     */
    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static int indexOf(ByteBuffer in, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (in.get(i) == b) {
                return i;
            }
        }
        return -1;
    }

    private static String ascii(ByteBuffer in, int from, int to) {
        return latin1(in, from, to);
    }

    /** The bytes as Latin-1 characters: one copy, into the string, through a per-thread scratch array. */
    private static String latin1(ByteBuffer in, int from, int to) {
        int n = to - from;
        byte[] scratch = SCRATCH.get();
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
            SCRATCH.set(scratch);
        }
        in.get(from, scratch, 0, n);
        return new String(scratch, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** Where {@link #latin1} copies the bytes first (a direct buffer has no array to make a string of). */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[256]);

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** RFC 9110 section 5.6.2: the characters of a token. */
    static boolean isTchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
