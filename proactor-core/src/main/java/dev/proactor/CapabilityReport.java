package dev.proactor;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the platform offers and what the proactor made of it: the backend chosen and why, the
 * kernel, the io_uring features and opcodes found, and why anything is off.
 *
 * <p>A final class rather than a record, so that a value can be added without breaking callers;
 * the library builds it, and {@link #builder()} is there for tests and tools that need one. Two
 * are equal when every value is.
 */
public final class CapabilityReport {
    private final String backend;
    private final String reason;
    private final String os;
    private final String kernel;
    private final String java;
    private final boolean ioUringAvailable;
    private final Optional<String> ioUringUnavailableCause;
    private final List<String> ioUringFeatures;
    private final List<String> ioUringSetupFlags;
    private final List<String> ioUringOpcodes;
    private final Map<OperationKind, String> operations;
    private final List<String> notes;

    private CapabilityReport(Builder b) {
        this.backend = b.backend;
        this.reason = b.reason;
        this.os = b.os;
        this.kernel = b.kernel;
        this.java = b.java;
        this.ioUringAvailable = b.ioUringAvailable;
        this.ioUringUnavailableCause = b.ioUringUnavailableCause;
        this.ioUringFeatures = List.copyOf(b.ioUringFeatures);
        this.ioUringSetupFlags = List.copyOf(b.ioUringSetupFlags);
        this.ioUringOpcodes = List.copyOf(b.ioUringOpcodes);
        this.operations = Map.copyOf(b.operations);
        this.notes = List.copyOf(b.notes);
    }

    /** A builder with every value zero, empty or absent. */
    public static Builder builder() {
        return new Builder();
    }

    /** The backend chosen. */
    public String backend() {
        return backend;
    }

    /** Why it was chosen. */
    public String reason() {
        return reason;
    }

    /** Operating system name and architecture. */
    public String os() {
        return os;
    }

    /** Kernel release. */
    public String kernel() {
        return kernel;
    }

    /** The Java runtime version. */
    public String java() {
        return java;
    }

    /** Whether io_uring could be set up and probed. */
    public boolean ioUringAvailable() {
        return ioUringAvailable;
    }

    /** Why not, when it could not. */
    public Optional<String> ioUringUnavailableCause() {
        return ioUringUnavailableCause;
    }

    /** The {@code IORING_FEAT_*} features the kernel reported. */
    public List<String> ioUringFeatures() {
        return ioUringFeatures;
    }

    /** The {@code IORING_SETUP_*} flags the ring was created with. */
    public List<String> ioUringSetupFlags() {
        return ioUringSetupFlags;
    }

    /** The opcodes the kernel's probe reported as supported. */
    public List<String> ioUringOpcodes() {
        return ioUringOpcodes;
    }

    /** For each operation kind, how this proactor performs it, or why it cannot. */
    public Map<OperationKind, String> operations() {
        return operations;
    }

    /** Anything else that is off, and why. */
    public List<String> notes() {
        return notes;
    }

    /** The report as aligned text lines, for a terminal. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        line(b, "backend", backend + " (" + reason + ")");
        line(b, "os", os);
        line(b, "kernel", kernel);
        line(b, "java", java);
        line(b, "io_uring", ioUringAvailable ? "available" : "unavailable: " + ioUringUnavailableCause.orElse("?"));
        if (ioUringAvailable) {
            line(b, "setup flags", String.join(" ", ioUringSetupFlags));
            line(b, "features", String.join(" ", ioUringFeatures));
            line(b, "opcodes", ioUringOpcodes.size() + ": " + String.join(" ", ioUringOpcodes));
        }
        b.append("operations:\n");
        for (OperationKind k : OperationKind.values()) {
            String how = operations.get(k);
            if (how != null) {
                b.append(String.format("  %-10s %s%n", k.name().toLowerCase(Locale.ROOT), how));
            }
        }
        for (String note : notes) {
            b.append("note: ").append(note).append('\n');
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(String.format("%-12s %s%n", key + ":", value));
    }

    /** The report as a JSON object. */
    public String toJson() {
        StringBuilder b = new StringBuilder("{");
        field(b, "backend", backend).append(',');
        field(b, "reason", reason).append(',');
        field(b, "os", os).append(',');
        field(b, "kernel", kernel).append(',');
        field(b, "java", java).append(',');
        b.append("\"ioUringAvailable\":").append(ioUringAvailable).append(',');
        b.append("\"ioUringUnavailableCause\":");
        if (ioUringUnavailableCause.isPresent()) {
            string(b, ioUringUnavailableCause.get());
        } else {
            b.append("null");
        }
        b.append(',');
        list(b, "ioUringFeatures", ioUringFeatures).append(',');
        list(b, "ioUringSetupFlags", ioUringSetupFlags).append(',');
        list(b, "ioUringOpcodes", ioUringOpcodes).append(',');
        b.append("\"operations\":{");
        boolean first = true;
        for (OperationKind k : OperationKind.values()) {
            String how = operations.get(k);
            if (how != null) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                field(b, k.name().toLowerCase(Locale.ROOT), how);
            }
        }
        b.append("},");
        list(b, "notes", notes);
        return b.append('}').toString();
    }

    private static StringBuilder field(StringBuilder b, String key, String value) {
        string(b, key);
        b.append(':');
        return string(b, value);
    }

    private static StringBuilder list(StringBuilder b, String key, List<String> values) {
        string(b, key);
        b.append(":[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            string(b, values.get(i));
        }
        return b.append(']');
    }

    private static StringBuilder string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    private Object[] values() {
        return new Object[] {backend, reason, os, kernel, java, ioUringAvailable, ioUringUnavailableCause, ioUringFeatures, ioUringSetupFlags, ioUringOpcodes, operations, notes};
    }

    private static final String[] NAMES = {"backend", "reason", "os", "kernel", "java", "ioUringAvailable", "ioUringUnavailableCause", "ioUringFeatures", "ioUringSetupFlags", "ioUringOpcodes", "operations", "notes"};

    @Override
    public boolean equals(Object o) {
        return o instanceof CapabilityReport other && Arrays.equals(values(), other.values());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values());
    }

    /** Every value by name, as a record would show it. */
    @Override
    public String toString() {
        return ValueText.of("CapabilityReport", NAMES, values());
    }

    /** Builds a {@link CapabilityReport}; every setter returns the builder. */
    public static final class Builder {
        private String backend = "";
        private String reason = "";
        private String os = "";
        private String kernel = "";
        private String java = "";
        private boolean ioUringAvailable;
        private Optional<String> ioUringUnavailableCause = Optional.empty();
        private List<String> ioUringFeatures = List.of();
        private List<String> ioUringSetupFlags = List.of();
        private List<String> ioUringOpcodes = List.of();
        private Map<OperationKind, String> operations = Map.of();
        private List<String> notes = List.of();

        private Builder() {}

        /** See {@link CapabilityReport#backend()}. */
        public Builder backend(String v) {
            backend = v;
            return this;
        }

        /** See {@link CapabilityReport#reason()}. */
        public Builder reason(String v) {
            reason = v;
            return this;
        }

        /** See {@link CapabilityReport#os()}. */
        public Builder os(String v) {
            os = v;
            return this;
        }

        /** See {@link CapabilityReport#kernel()}. */
        public Builder kernel(String v) {
            kernel = v;
            return this;
        }

        /** See {@link CapabilityReport#java()}. */
        public Builder java(String v) {
            java = v;
            return this;
        }

        /** See {@link CapabilityReport#ioUringAvailable()}. */
        public Builder ioUringAvailable(boolean v) {
            ioUringAvailable = v;
            return this;
        }

        /** See {@link CapabilityReport#ioUringUnavailableCause()}. */
        public Builder ioUringUnavailableCause(Optional<String> v) {
            ioUringUnavailableCause = v;
            return this;
        }

        /** See {@link CapabilityReport#ioUringFeatures()}. */
        public Builder ioUringFeatures(List<String> v) {
            ioUringFeatures = v;
            return this;
        }

        /** See {@link CapabilityReport#ioUringSetupFlags()}. */
        public Builder ioUringSetupFlags(List<String> v) {
            ioUringSetupFlags = v;
            return this;
        }

        /** See {@link CapabilityReport#ioUringOpcodes()}. */
        public Builder ioUringOpcodes(List<String> v) {
            ioUringOpcodes = v;
            return this;
        }

        /** See {@link CapabilityReport#operations()}. */
        public Builder operations(Map<OperationKind, String> v) {
            operations = v;
            return this;
        }

        /** See {@link CapabilityReport#notes()}. */
        public Builder notes(List<String> v) {
            notes = v;
            return this;
        }

        /** Builds the value; collections are copied. */
        public CapabilityReport build() {
            return new CapabilityReport(this);
        }
    }
}
