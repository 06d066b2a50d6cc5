package dev.scheduler.benchmarks;

import dev.scheduler.Executor;
import dev.scheduler.dispatch.Dispatcher;
import dev.scheduler.dispatch.DispatcherOptions;
import dev.scheduler.dispatch.LinuxDispatcher;
import dev.scheduler.dispatch.PortableDispatcher;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One of our dispatchers and a background executor on it, made once per trial and closed after it:
 * the state every benchmark of ours on a real dispatcher takes. Each benchmark that uses one starts
 * only the threads it measures, since idle workers of another would steal one of the two cores.
 */
public abstract class DispatcherState {

    Dispatcher dispatcher;
    Executor executor;

    /** Not a state by itself: take {@link Linux}, {@link Portable} or {@link LinuxOneWorker}. */
    DispatcherState() {
    }

    abstract Dispatcher create();

    /** Starts the dispatcher and its threads. */
    @Setup(Level.Trial)
    public void start() {
        dispatcher = create();
        executor = new Executor(dispatcher);
    }

    /** Stops the dispatcher and its threads. */
    @TearDown(Level.Trial)
    public void stop() {
        dispatcher.close();
    }

    /** The Linux dispatcher with its defaults: Java workers, one per processor, and an {@code epoll} main loop. */
    @State(Scope.Benchmark)
    public static class Linux extends DispatcherState {
        @Override
        Dispatcher create() {
            return new LinuxDispatcher(DispatcherOptions.defaults());
        }
    }

    /**
     * The Linux dispatcher with one background thread: not a peer, a diagnostic. On two cores the
     * defaults give two workers beside the benchmark thread; this shows what the third runnable
     * thread costs.
     */
    @State(Scope.Benchmark)
    public static class LinuxOneWorker extends DispatcherState {
        @Override
        Dispatcher create() {
            return new LinuxDispatcher(DispatcherOptions.defaults().withBackgroundThreads(1));
        }
    }

    /** The portable dispatcher with its defaults: the same workers, a {@code LockSupport} main loop. */
    @State(Scope.Benchmark)
    public static class Portable extends DispatcherState {
        @Override
        Dispatcher create() {
            return new PortableDispatcher(DispatcherOptions.defaults());
        }
    }
}
