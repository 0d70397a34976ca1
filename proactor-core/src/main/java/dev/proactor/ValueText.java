package dev.proactor;

/** The text a record would show, for the API's value classes that are not records so that they can grow. */
final class ValueText {
    private ValueText() {}

    /** {@code Type[name=value, ...]}, with names and values in the same order. */
    static String of(String type, String[] names, Object[] values) {
        StringBuilder sb = new StringBuilder(type).append('[');
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(values[i]);
        }
        return sb.append(']').toString();
    }
}
