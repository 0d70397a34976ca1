package dev.proactor.cli.serve;

/** Entity-tag comparisons for the conditional headers (RFC 9110 sections 8.8.3 and 13.1). */
final class EntityTags {
    private EntityTags() {}

    /**
     * If-None-Match: whether any tag in the list matches {@code etag} by weak comparison (the
     * {@code W/} prefix ignored), or the list is {@code *}.
     */
    static boolean weakMatch(String list, String etag) {
        String value = list.strip();
        if (value.equals("*")) {
            return true;
        }
        String ours = opaque(etag);
        for (String tag : value.split(",")) {
            if (opaque(tag.strip()).equals(ours)) {
                return true;
            }
        }
        return false;
    }

    /**
     * If-Range: the Range applies only when the validator still names this representation: the same
     * strong entity tag, or exactly its Last-Modified date when that date is a strong validator.
     * Absent, it allows the range.
     *
     * @param lastModified the Last-Modified epoch second sent with the response
     * @param dateIsStrong whether that date may validate a range (see {@link Validators#rangeApplies})
     */
    static boolean ifRangeAllows(String ifRange, String etag, long lastModified, boolean dateIsStrong) {
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.strip();
        if (v.startsWith("\"")) {
            return v.equals(etag);
        }
        if (v.startsWith("W/")) {
            return false; // a weak tag never allows a range
        }
        return dateIsStrong && HttpDates.parseSeconds(v) == lastModified;
    }

    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }
}
