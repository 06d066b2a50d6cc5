package dev.scheduler.jdk;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The preemption points the scheduler's test agent ({@code scheduler-test-agent}) puts into the
 * application's classes: before {@code monitorenter}, before calls into
 * {@code java.util.concurrent}, the collections and synchronized methods, before volatile field
 * accesses and, when asked for thorough points, before every non-final field and array access.
 * Each point calls {@link #point(int)} with the number of its site; a scheduler that switches
 * tasks at points installs a {@link Handler}.
 *
 * <p>Without a handler a point costs one read of a volatile field. The agent loads this class into
 * the bootstrap class loader, next to {@link JdkHooks}, so that classes of every class loader can
 * call it and share one set of fields; that is why it refers to nothing but JDK types.
 */
public final class PreemptionPoints {

    /** A site's kind: before {@code monitorenter} or a call to a synchronized method. */
    public static final int MONITOR = 0;
    /** A site's kind: before a call into {@code java.util.concurrent} or a collection interface. */
    public static final int CALL = 1;
    /** A site's kind: before a volatile field access. */
    public static final int VOLATILE = 2;
    /** A site's kind: before a plain (non-final, non-volatile) field or array access; thorough points only. */
    public static final int FIELD = 3;

    /** What a scheduler does at a point. */
    public interface Handler {

        /**
         * Called at a point, on the thread that reached it.
         *
         * @param site the number of the site, for {@link #site(int)} and {@link #kind(int)}
         */
        void point(int site);
    }

    /** The agent's side: it adds thorough points to the classes it instruments when asked. */
    public interface Instrumenter {

        /** Adds thorough points to every class the agent instruments, loaded ones included. */
        void addThoroughPoints();
    }

    private static volatile Handler handler;
    private static volatile Instrumenter instrumenter;
    private static volatile boolean thorough;

    private static final Object LOCK = new Object();
    /** The application's classes the agent rewrote, by name. */
    private static final java.util.Set<String> REWRITTEN = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final Map<String, Integer> NUMBERS = new HashMap<>();
    private static String[] sites = new String[256];
    private static int count;

    private PreemptionPoints() {
    }

    // ---------------------------------------------------------------- called by instrumented code

    /**
     * A preemption point: asks the installed handler, if any, whether to switch tasks here.
     *
     * @param site the number {@link #register} gave the site
     */
    public static void point(int site) {
        Handler current = handler;
        if (current != null) {
            current.point(site);
        }
    }

    // ---------------------------------------------------------------- called by the agent

    /**
     * Numbers a site, the same one each time for the same description.
     *
     * @param kind {@link #MONITOR}, {@link #CALL}, {@link #VOLATILE} or {@link #FIELD}
     * @param description where it is and what follows it, for reports
     * @return its number, whose two lowest bits are its kind, so that {@link #kind(int)} costs no lookup
     */
    public static int register(int kind, String description) {
        if (kind < MONITOR || kind > FIELD) {
            throw new IllegalArgumentException("kind must be MONITOR, CALL, VOLATILE or FIELD, was " + kind);
        }
        synchronized (LOCK) {
            String key = kind + description;
            Integer known = NUMBERS.get(key);
            if (known != null) {
                return known;
            }
            if (count == sites.length) {
                sites = Arrays.copyOf(sites, count * 2);
            }
            sites[count] = description;
            int number = count++ << 2 | kind;
            NUMBERS.put(key, number);
            return number;
        }
    }

    /**
     * Records that the agent rewrote the class named {@code className}: it is the application's.
     *
     * @param className the class's binary name
     */
    public static void rewritten(String className) {
        REWRITTEN.add(className);
    }

    /**
     * {@return whether the agent rewrote the class named {@code className}, which makes it the
     * application's code}
     *
     * @param className a binary class name
     */
    public static boolean isRewritten(String className) {
        return REWRITTEN.contains(className);
    }

    /**
     * Lets a scheduler ask for thorough points.
     *
     * @param agent the agent's instrumenter
     */
    public static void instrumentedBy(Instrumenter agent) {
        instrumenter = agent;
    }

    // ---------------------------------------------------------------- for the scheduler

    /** {@return whether the test agent puts preemption points into the application's classes} */
    public static boolean instrumented() {
        return instrumenter != null;
    }

    /**
     * Makes sure the application's classes have thorough points too: before every plain field and
     * array access. Classes loaded already are rewritten; it stays so for the rest of the JVM's life.
     *
     * @throws IllegalStateException if the test agent is not there to add them
     */
    public static void requireThoroughPoints() {
        Instrumenter agent = instrumenter;
        if (agent == null) {
            throw new IllegalStateException("Thorough preemption points need the scheduler's test agent: " + JdkHooks.SWITCH);
        }
        synchronized (LOCK) {
            if (!thorough) {
                agent.addThoroughPoints();
                thorough = true;
            }
        }
    }

    /**
     * Installs the handler every point calls, or none.
     *
     * @param newHandler the handler, or null to make points cost one volatile read again
     */
    public static void install(Handler newHandler) {
        handler = newHandler;
    }

    /**
     * {@return where site {@code site} is and what follows it, as the agent described it}
     *
     * @param site a site's number
     */
    public static String site(int site) {
        int index = site >>> 2;
        synchronized (LOCK) {
            return index < count ? sites[index] : "an unknown site #" + site;
        }
    }

    /**
     * {@return the kind of site {@code site}: {@link #MONITOR}, {@link #CALL}, {@link #VOLATILE} or
     * {@link #FIELD}}
     *
     * @param site a site's number
     */
    public static int kind(int site) {
        return site & 3;
    }
}
