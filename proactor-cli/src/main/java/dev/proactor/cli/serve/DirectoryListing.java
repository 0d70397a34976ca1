package dev.proactor.cli.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain HTML index of a directory: names sorted, directories with a trailing slash, every name
 * HTML-escaped in the text and percent-encoded (UTF-8) in the link, so that any name a file
 * system allows is shown as it is and links to itself.
 */
final class DirectoryListing {
    private DirectoryListing() {}

    /**
     * Lists {@code dir} (a blocking directory read, on the worker that handles the request; the
     * library has no asynchronous directory listing) and renders it for the URL path {@code title}.
     */
    static byte[] render(Path dir, String title) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                names.add(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? name + "/" : name);
            }
        }
        names.sort(null);
        StringBuilder b = new StringBuilder(256 + names.size() * 64);
        String t = escapeHtml(title);
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ").append(t)
                .append("</title></head>\n<body><h1>Index of ").append(t).append("</h1>\n<ul>\n");
        if (!title.equals("/")) {
            b.append("<li><a href=\"../\">../</a></li>\n");
        }
        for (String name : names) {
            b.append("<li><a href=\"").append(encodePathSegment(name)).append("\">").append(escapeHtml(name))
                    .append("</a></li>\n");
        }
        b.append("</ul>\n</body></html>\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String escapeHtml(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Percent-encodes a name's UTF-8 bytes except RFC 3986's unreserved characters; a trailing
     * slash (a directory's mark) stays a slash.
     */
    static String encodePathSegment(String name) {
        boolean dir = name.endsWith("/");
        byte[] bytes = (dir ? name.substring(0, name.length() - 1) : name).getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(bytes.length + 8);
        for (byte x : bytes) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return dir ? b.append('/').toString() : b.toString();
    }
}
