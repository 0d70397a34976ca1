package dev.proactor.cli.serve;

/**
 * A single byte range (RFC 9110 section 14.1.2) resolved against a length: {@code first} to
 * {@code last} inclusive.
 */
record ByteRange(long first, long last) {

    long length() {
        return last - first + 1;
    }

    /** What a Range header asks of a representation of some length. */
    sealed interface Answer {}

    /** Serve the whole representation with 200: no range, a syntax we ignore, or several ranges. */
    record Whole() implements Answer {}

    /** Serve this part with 206. */
    record Part(ByteRange range) implements Answer {}

    /** 416: the range lies wholly outside the representation. */
    record Unsatisfiable() implements Answer {}

    private static final Whole WHOLE = new Whole();

    /**
     * Resolves a Range header value. An invalid value is ignored (RFC 9110: a server MAY ignore
     * the Range header field), and so is a list of several ranges: the whole file is a valid answer.
     */
    static Answer resolve(String header, long length) {
        if (header == null) {
            return WHOLE;
        }
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return WHOLE;
        }
        String spec = h.substring(6).strip();
        if (spec.indexOf(',') >= 0) {
            return WHOLE;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return WHOLE;
        }
        String a = spec.substring(0, dash).strip();
        String b = spec.substring(dash + 1).strip();
        if (!digits(a) && !a.isEmpty() || !digits(b) && !b.isEmpty() || a.isEmpty() && b.isEmpty()) {
            return WHOLE;
        }
        if (a.isEmpty()) { // suffix: the last b bytes
            long n = parse(b);
            if (n == 0 || length == 0) {
                return new Unsatisfiable();
            }
            return new Part(new ByteRange(Math.max(0, length - n), length - 1));
        }
        long first = parse(a);
        long last = b.isEmpty() ? Long.MAX_VALUE : parse(b);
        if (last < first) {
            return WHOLE; // invalid range-spec: ignored
        }
        if (first >= length) {
            return new Unsatisfiable();
        }
        return new Part(new ByteRange(first, Math.min(last, length - 1)));
    }

    private static boolean digits(String s) {
        return !s.isEmpty() && s.length() <= 18 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static long parse(String s) {
        return Long.parseLong(s);
    }
}
