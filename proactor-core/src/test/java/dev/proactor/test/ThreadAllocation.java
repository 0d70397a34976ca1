package dev.proactor.test;

import java.lang.reflect.Method;

/**
 * {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes}, reached by reflection: the
 * tests compile inside the library's module, which does not read {@code jdk.management}, and run
 * on the class path, where reflection reaches it. The allocation tests sum it over a proactor's
 * threads around a workload.
 */
public final class ThreadAllocation {
    private final Object bean;
    private final Method bytes;
    private final boolean supported;

    public ThreadAllocation() throws Exception {
        bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Class<?> sun = Class.forName("com.sun.management.ThreadMXBean");
        supported = sun.isInstance(bean) && (boolean) sun.getMethod("isThreadAllocatedMemorySupported").invoke(bean);
        if (supported) {
            sun.getMethod("setThreadAllocatedMemoryEnabled", boolean.class).invoke(bean, true);
        }
        bytes = sun.getMethod("getThreadAllocatedBytes", long.class);
    }

    /** Whether this JVM counts allocated bytes per thread. */
    public boolean supported() {
        return supported;
    }

    /** Bytes thread {@code id} allocated so far. */
    public long bytes(long id) throws Exception {
        return (long) bytes.invoke(bean, id);
    }

    /** Bytes the threads {@code ids} allocated together while {@code action} ran. */
    public long during(long[] ids, Runnable action) throws Exception {
        long before = 0;
        for (long id : ids) {
            before += bytes(id);
        }
        action.run();
        long after = 0;
        for (long id : ids) {
            after += bytes(id);
        }
        return after - before;
    }

    /** The thread ids of proactor {@code proactorName}'s dispatcher and workers. */
    public static long[] proactorThreads(String proactorName) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(proactorName + "-dispatcher") || t.getName().startsWith(proactorName + "-worker-"))
                .mapToLong(Thread::threadId).toArray();
    }

    /** The thread id of proactor {@code proactorName}'s dispatcher. */
    public static long dispatcherThread(String proactorName) {
        String name = proactorName + "-dispatcher";
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return t.threadId();
            }
        }
        throw new AssertionError("no thread " + name);
    }
}
