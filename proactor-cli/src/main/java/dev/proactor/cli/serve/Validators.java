package dev.proactor.cli.serve;

import java.time.Instant;

/**
 * A file response's validators (RFC 9110 section 8.8) as they are sent, and the conditional
 * headers judged against exactly those values, so that what a client is told and what its next
 * conditional request is compared with never differ.
 *
 * @param etag the strong entity tag, from the file's size and its own modification time to the
 *     nanosecond: it still tells versions apart when {@code lastModified} had to be replaced
 * @param lastModified the Last-Modified epoch second: the file's modification time, or the Date if
 *     that time lies later (RFC 9110 section 8.8.2.1: a Last-Modified later than Date must be
 *     replaced by the Date; a clock set back or a file unpacked from elsewhere makes such times)
 * @param date the response's Date epoch second
 */
record Validators(String etag, long lastModified, long date) {

    static Validators of(long size, Instant modified, long date) {
        String etag = "\"" + Long.toHexString(size) + "-" + Long.toHexString(modified.getEpochSecond()) + "."
                + Integer.toHexString(modified.getNano()) + "\"";
        return new Validators(etag, Math.min(modified.getEpochSecond(), date), date);
    }

    String lastModifiedText() {
        return lastModified == date ? HttpDates.ofSecond(date) : HttpDates.format(Instant.ofEpochSecond(lastModified));
    }

    /**
     * RFC 9110 section 13.2.2: If-None-Match decides when present (weak comparison); otherwise
     * If-Modified-Since, true when the Last-Modified sent is no later than its date.
     */
    boolean notModified(HttpRequest r) {
        return r.ifNoneMatch() != null ? EntityTags.weakMatch(r.ifNoneMatch(), etag)
                : HttpDates.parseSeconds(r.ifModifiedSince()) >= lastModified;
    }

    /**
     * Whether a Range applies under the request's If-Range (RFC 9110 section 13.1.5). A date there
     * counts only if the Last-Modified is a strong validator, which section 8.8.2.2 allows only
     * when it lies at least a second before the Date: within its own second the file could change
     * again unseen. A replaced (future) time equals the Date, so it never allows a range.
     */
    boolean rangeApplies(HttpRequest r) {
        return EntityTags.ifRangeAllows(r.ifRange(), etag, lastModified, lastModified < date);
    }
}
