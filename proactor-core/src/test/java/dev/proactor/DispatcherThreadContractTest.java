package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.test.EachBackend;
import dev.proactor.test.InHandler;
import dev.proactor.test.ProactorFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The dispatcher thread a caller makes ({@code dispatcherThreadFactory}): the factory's thread, in its
 * group, with what the factory set up on it, is the one inline handlers run on; a factory that makes
 * no thread, or a started one, fails the open.
 */
class DispatcherThreadContractTest {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** Threads in a group of their own, each running its task with {@link #MARK} set first. */
    private static final class MarkingFactory implements ThreadFactory {
        static final ThreadLocal<String> MARK = new ThreadLocal<>();
        final ThreadGroup group = new ThreadGroup("dispatcher-test-group-" + SEQUENCE.incrementAndGet());
        final List<Thread> made = new ArrayList<>();

        @Override
        public synchronized Thread newThread(Runnable r) {
            Thread t = new Thread(group, () -> {
                MARK.set("made by the test's factory");
                r.run();
            }, "custom-dispatcher-" + SEQUENCE.incrementAndGet());
            t.setDaemon(true);
            made.add(t);
            return t;
        }
    }

    @EachBackend
    void theDispatcherIsAThreadOfTheConfiguredFactory(ProactorFixture fixture) throws Exception {
        MarkingFactory factory = new MarkingFactory();
        Proactor p = fixture.open(fixture.config().inlineHandlers(true).dispatcherThreadFactory(factory));
        AtomicReference<Thread> handlerThread = new AtomicReference<>();
        AtomicReference<String> mark = new AtomicReference<>();

        assertThat(InHandler.thrown(p, () -> {
            handlerThread.set(Thread.currentThread());
            mark.set(MarkingFactory.MARK.get());
        })).isNull();

        assertThat(factory.made).hasSize(1);
        Thread dispatcher = factory.made.get(0);
        assertThat(handlerThread.get()).as("an inline handler runs on the dispatcher").isSameAs(dispatcher);
        assertThat(dispatcher.getName()).startsWith("custom-dispatcher-");
        assertThat(dispatcher.getThreadGroup()).isSameAs(factory.group);
        assertThat(mark.get()).isEqualTo("made by the test's factory");
        p.close();
        assertThat(dispatcher.isAlive()).as("the dispatcher ended with the close").isFalse();
    }

    @EachBackend
    void aFactoryThatMakesNoThreadOrAStartedOneFailsTheOpen(ProactorFixture fixture) {
        assertThatThrownBy(() -> fixture.open(fixture.config().dispatcherThreadFactory(r -> null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("made no thread");
        assertThatThrownBy(() -> fixture.open(fixture.config().dispatcherThreadFactory(r -> {
            Thread t = Thread.ofPlatform().daemon(true).unstarted(() -> { });
            t.start();
            return t;
        }))).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
    }
}
