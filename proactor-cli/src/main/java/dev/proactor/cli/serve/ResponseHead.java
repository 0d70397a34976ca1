package dev.proactor.cli.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds a response's status line and header section. Values come from the server or from request
 * parts that passed the parser's checks (visible ASCII), so nothing can inject a line.
 */
final class ResponseHead {
    private final StringBuilder b = new StringBuilder(256);

    ResponseHead(int status) {
        this(status, HttpDates.currentSecond());
    }

    /**
     * @param date the Date header's epoch second, for a response whose other headers were judged
     *     against it (a Last-Modified is never later than the Date)
     */
    ResponseHead(int status, long date) {
        b.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        header("Server", "proactor");
        header("Date", HttpDates.ofSecond(date));
    }

    ResponseHead header(String name, Object value) {
        b.append(name).append(": ").append(value).append("\r\n");
        return this;
    }

    /** Ends the head; with {@code body} appended after it (a small generated body), else alone. */
    ByteBuffer toBuffer(byte[] body) {
        b.append("\r\n");
        byte[] head = b.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null || body.length == 0) {
            return ByteBuffer.wrap(head);
        }
        ByteBuffer buf = ByteBuffer.allocate(head.length + body.length);
        return buf.put(head).put(body).flip();
    }

    private record Prefix(long second, byte[] bytes) {}

    private static volatile Prefix ok = new Prefix(Long.MIN_VALUE, new byte[0]);

    /**
     * The start of a 200's head dated {@code date}, through the Date line: the same bytes as
     * {@code new ResponseHead(200, date)} begins with, made once a second and shared (read only).
     */
    static byte[] okPrefix(long date) {
        Prefix p = ok;
        if (p.second != date) {
            p = new Prefix(date, ("HTTP/1.1 200 OK\r\nServer: proactor\r\nDate: " + HttpDates.ofSecond(date) + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            ok = p;
        }
        return p.bytes;
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 416 -> "Range Not Satisfiable";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Unknown";
        };
    }
}
