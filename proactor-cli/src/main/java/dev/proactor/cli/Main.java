package dev.proactor.cli;

/** Entry point of the {@code proactor} command. */
public final class Main {
    private Main() {}

    /** Runs the command line. */
    public static void main(String[] args) {
        System.out.println("proactor");
    }
}
