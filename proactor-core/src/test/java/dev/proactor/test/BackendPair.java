package dev.proactor.test;

import dev.proactor.BackendChoice;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;

/**
 * The two proactors of one {@link EachBackendPair} run: {@link #server()} on the server backend and
 * {@link #client()} on the client backend, each opened by its own {@link ProactorFixture}, which
 * checks after the run that it left nothing behind. Thread-safe.
 */
public final class BackendPair {
    private final ProactorFixture serverFixture;
    private final ProactorFixture clientFixture;
    private Proactor server;
    private Proactor client;

    BackendPair(ProactorFixture serverFixture, ProactorFixture clientFixture) {
        this.serverFixture = serverFixture;
        this.clientFixture = clientFixture;
    }

    /** The backend of the server side (listeners and the connections they accept). */
    public BackendChoice serverBackend() {
        return serverFixture.backend();
    }

    /** The backend of the client side (connects). */
    public BackendChoice clientBackend() {
        return clientFixture.backend();
    }

    /** The fixture that opens server-side proactors. */
    public ProactorFixture serverFixture() {
        return serverFixture;
    }

    /** The fixture that opens client-side proactors. */
    public ProactorFixture clientFixture() {
        return clientFixture;
    }

    /** The server proactor with the defaults, shared within the run. */
    public synchronized Proactor server() {
        if (server == null) {
            server = serverFixture.open();
        }
        return server;
    }

    /** The client proactor with the defaults, shared within the run. */
    public synchronized Proactor client() {
        if (client == null) {
            client = clientFixture.open();
        }
        return client;
    }

    /** Opens another server-side proactor with {@code config} (its name and backend are the fixture's). */
    public Proactor openServer(ProactorConfig.Builder config) {
        return serverFixture.open(config);
    }

    /** Opens another client-side proactor with {@code config} (its name and backend are the fixture's). */
    public Proactor openClient(ProactorConfig.Builder config) {
        return clientFixture.open(config);
    }

    /** A config builder with the defaults, for {@link #openServer} or {@link #openClient}. */
    public ProactorConfig.Builder config() {
        return ProactorConfig.builder();
    }

    /** {@code server=<backend>, client=<backend>}. */
    @Override
    public String toString() {
        return name(serverFixture.variantName(), clientFixture.variantName());
    }

    static String name(String server, String client) {
        return "server=" + server + ", client=" + client;
    }
}
