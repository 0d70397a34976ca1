package dev.proactor.test;

import org.junit.jupiter.api.TestReporter;

/**
 * Publishes a measurement of a test run both as a JUnit report entry and as a line on standard
 * output ({@code [report] key: value}), since the Surefire XML keeps only the latter.
 */
public final class Reports {
    private Reports() {}

    /** Publishes {@code value} under {@code key}. */
    public static void publish(TestReporter reporter, String key, String value) {
        reporter.publishEntry(key, value);
        System.out.println("[report] " + key + ": " + value);
    }
}
