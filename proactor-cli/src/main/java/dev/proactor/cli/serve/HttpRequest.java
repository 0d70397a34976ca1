package dev.proactor.cli.serve;

import java.util.List;

/**
 * One parsed request head, reduced to what a static-file server acts on. Immutable.
 *
 * @param requestLine the request line as received (visible ASCII only), for the access log
 * @param method GET or HEAD (every other method is rejected by the parser)
 * @param minorVersion 0 for HTTP/1.0, 1 for HTTP/1.1 (and later 1.x, treated as 1.1)
 * @param target the validated path: decoded segments, whether it ended in a slash, the raw forms
 * @param keepAlive whether the client allows the connection to stay open after the response
 * @param ifModifiedSince the If-Modified-Since value, or null
 * @param ifNoneMatch the If-None-Match value, or null
 * @param range the Range value, or null
 * @param ifRange the If-Range value, or null
 */
record HttpRequest(String requestLine, String method, int minorVersion, Target target, boolean keepAlive,
        String ifModifiedSince, String ifNoneMatch, String range, String ifRange) {

    boolean isHead() {
        return method.equals("HEAD");
    }

    /**
     * A request path that passed the checks: no dot segments, no NUL, no backslash, no encoded slash,
     * valid percent-encoding and UTF-8.
     *
     * @param segments the decoded path segments, empty for the root
     * @param trailingSlash whether the path ended in a slash (the root always does)
     * @param rawQuery the query as received without its '?', or null
     */
    record Target(List<String> segments, boolean trailingSlash, String rawQuery) {
        Target {
            segments = List.copyOf(segments);
        }

        /** The decoded path, slash-separated, as a reader would write it ("/a b/"). */
        String decodedPath() {
            return joined(segments, false) + (trailingSlash || segments.isEmpty() ? "/" : "");
        }

        /**
         * Where a directory asked for without its trailing slash is redirected: the normalised
         * path (one slash before each segment, empty segments dropped, each segment re-encoded),
         * a slash, and the query as received. Built from the segments, never from the raw path,
         * so it starts with exactly one slash and cannot be read as a network-path reference
         * ("//host/", which a client resolves to another host) nor hold a scheme; the query is
         * visible ASCII without '#' and follows the path, so it cannot change the authority
         * either. nginx does the same by default: its redirect is made from the URI after
         * {@code merge_slashes} (on by default) and dot-segment removal, so {@code //example.com}
         * goes to {@code /example.com/}; nginx then writes it absolute from Host, where ours stays
         * relative and so always names this server.
         */
        String directoryLocation() {
            return joined(segments, true) + "/" + (rawQuery == null ? "" : "?" + rawQuery);
        }

        private static String joined(List<String> segments, boolean encoded) {
            StringBuilder b = new StringBuilder();
            for (String s : segments) {
                b.append('/').append(encoded ? DirectoryListing.encodePathSegment(s) : s);
            }
            return b.toString();
        }
    }
}
