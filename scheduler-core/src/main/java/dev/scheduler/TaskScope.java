package dev.scheduler;

/**
 * What the running code belongs to: the task whose body it runs in, and the {@link TaskObserver}
 * in scope, which travels with tasks rather than threads (see {@link TaskObserver#inScope()}).
 *
 * <p>Both live in one scoped value, so that the subtasks a body forks in a {@code StructuredTaskScope},
 * which inherit its bindings, belong to its task too, and no thread the body merely starts does.
 * A {@link TaskRunner} binds itself once for its whole life, and the task is the one whose body it
 * runs at the moment: a body costs no binding of its own. A body run as a plain step, and every
 * {@link TaskObserver#callInScope} call, binds a {@link Context} instead, which wins while it is
 * bound. One value, so that finding out costs one lookup: every spawn asks.
 */
final class TaskScope {

    /** The task the code runs in, and the observer in scope. */
    record Context(Task<?> task, TaskObserver owner) {
    }

    /**
     * A {@link Context}, bound around a body run as a plain step and around
     * {@link TaskObserver#callInScope} calls; or a {@link TaskRunner}, bound around its whole life.
     */
    static final ScopedValue<Object> SCOPE = ScopedValue.newInstance();

    /** What {@link #SCOPE} reads where it is not bound. */
    private static final Object UNBOUND = new Object();

    /** The observer in scope on a thread outside tasks and scoped calls; see TaskObserver.setThreadScope. */
    private static final ThreadLocal<TaskObserver> THREAD_SCOPE = new ThreadLocal<>();

    /** Whether any thread ever set a thread scope; until then there is none to look up. */
    private static volatile boolean threadScopeUsed;

    private TaskScope() {
    }

    /** {@return the task whose body the calling code runs in, or null; an adopted thread is its task's body} */
    static Task<?> currentTask() {
        Object scope = SCOPE.orElse(UNBOUND);
        if (scope instanceof Context context) {
            return context.task();
        }
        Task<?> task = scope instanceof TaskRunner runner ? runner.task() : null;
        return task != null ? task : AdoptedThreads.taskOf(Thread.currentThread());
    }

    static TaskObserver inScope() {
        Object scope = SCOPE.orElse(UNBOUND);
        if (scope instanceof Context context) {
            return context.owner();
        }
        Task<?> task = scope instanceof TaskRunner runner ? runner.task() : null;
        if (task != null) {
            return task.owner();
        }
        // Most threads never set a scope: skip the thread-local lookup, which every spawn would pay.
        return threadScopeUsed ? THREAD_SCOPE.get() : null;
    }

    static <T, X extends Throwable> T callInScope(TaskObserver observer, ScopedValue.CallableOp<? extends T, X> body)
            throws X {
        return ScopedValue.where(SCOPE, new Context(currentTask(), observer)).call(body);
    }

    /** Runs {@code body} as the body of {@code task}, with the observer it inherited in scope: for a plain step. */
    static void runAs(Task<?> task, TaskObserver owner, Runnable body) {
        ScopedValue.where(SCOPE, new Context(task, owner)).run(body);
    }

    /** Runs {@code life}, the whole life of {@code runner}, with the runner bound. */
    static void runAsRunner(TaskRunner runner, Runnable life) {
        ScopedValue.where(SCOPE, runner).run(life);
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
