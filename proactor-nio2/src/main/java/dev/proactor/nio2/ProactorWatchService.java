package dev.proactor.nio2;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.Watchable;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The platform's watch service, handing out keys whose {@link WatchKey#watchable()} and event
 * contexts are {@link ProactorPath}s. A key wrapper equals every other wrapper of the same platform
 * key, so keys taken from {@link #take()} find the entries a program made at registration. Safe to
 * use from any thread, as the platform's is.
 */
final class ProactorWatchService implements WatchService {

    private final ProactorFileSystem fs;
    private final WatchService delegate;

    ProactorWatchService(ProactorFileSystem fs, WatchService delegate) {
        this.fs = fs;
        this.delegate = delegate;
    }

    WatchService delegate() {
        return delegate;
    }

    WatchKey wrap(WatchKey key) {
        return key == null ? null : new Key(key);
    }

    @Override public void close() throws IOException { delegate.close(); }
    @Override public WatchKey poll() { return wrap(delegate.poll()); }
    @Override public WatchKey poll(long timeout, TimeUnit unit) throws InterruptedException { return wrap(delegate.poll(timeout, unit)); }
    @Override public WatchKey take() throws InterruptedException { return wrap(delegate.take()); }

    private final class Key implements WatchKey {
        private final WatchKey key;

        Key(WatchKey key) {
            this.key = key;
        }

        @Override public boolean isValid() { return key.isValid(); }
        @Override public boolean reset() { return key.reset(); }
        @Override public void cancel() { key.cancel(); }

        @Override
        public Watchable watchable() {
            return key.watchable() instanceof Path p ? fs.wrap(p) : key.watchable();
        }

        @Override
        public List<WatchEvent<?>> pollEvents() {
            return key.pollEvents().stream().<WatchEvent<?>>map(this::wrapEvent).toList();
        }

        private <T> WatchEvent<T> wrapEvent(WatchEvent<T> event) {
            return new WatchEvent<>() {
                @Override public Kind<T> kind() { return event.kind(); }
                @Override public int count() { return event.count(); }

                @Override
                @SuppressWarnings("unchecked")
                public T context() {
                    return event.context() instanceof Path p ? (T) fs.wrap(p) : event.context();
                }
            };
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.key.equals(key);
        }

        @Override
        public int hashCode() {
            return key.hashCode();
        }
    }
}
