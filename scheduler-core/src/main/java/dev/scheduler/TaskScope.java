package dev.scheduler;

/**
 * What the running code belongs to: the task whose body it runs in, and the {@link TaskObserver}
 * in scope, which travels with tasks rather than threads (see {@link TaskObserver#inScope()}).
 */
final class TaskScope {

    /** The task the code runs in, and the observer in scope. */
    record Context(Task<?> task, TaskObserver owner) {
    }

    /** Bound around every task body, and around {@link TaskObserver#callInScope} calls. */
    static final ScopedValue<Context> CONTEXT = ScopedValue.newInstance();

    /** The observer in scope on a thread outside tasks and scoped calls; see TaskObserver.setThreadScope. */
    private static final ThreadLocal<TaskObserver> THREAD_SCOPE = new ThreadLocal<>();

    /** Whether any thread ever set a thread scope; until then there is none to look up. */
    private static volatile boolean threadScopeUsed;

    private TaskScope() {
    }

    /** {@return the context of the calling code, or null outside any task and scope} */
    static Context context() {
        return CONTEXT.isBound() ? CONTEXT.get() : null;
    }

    /** {@return the task whose body the calling code runs in, or null; an adopted thread is its task's body} */
    static Task<?> currentTask() {
        Context context = context();
        return context != null ? context.task() : AdoptedThreads.taskOf(Thread.currentThread());
    }

    static TaskObserver inScope() {
        Context context = context();
        // Most threads never set a scope: skip the thread-local lookup, which every spawn would pay.
        return context != null ? context.owner() : threadScopeUsed ? THREAD_SCOPE.get() : null;
    }

    static <T, X extends Throwable> T callInScope(TaskObserver observer, ScopedValue.CallableOp<? extends T, X> body)
            throws X {
        return ScopedValue.where(CONTEXT, new Context(currentTask(), observer)).call(body);
    }

    /** Runs {@code body} as the body of {@code task}, with the observer it inherited in scope. */
    static void runAs(Task<?> task, TaskObserver owner, Runnable body) {
        ScopedValue.where(CONTEXT, new Context(task, owner)).run(body);
    }

    static TaskObserver setThreadScope(TaskObserver observer) {
        TaskObserver previous = THREAD_SCOPE.get();
        if (observer == null) {
            THREAD_SCOPE.remove();
        } else {
            threadScopeUsed = true;
            THREAD_SCOPE.set(observer);
        }
        return previous;
    }
}
